/*! leakdex JavaScript sample: Cordova/React Native-like app code (samples/js/build.sh). Every secret is fake.
 * A kept licence comment is still a comment: twitter consumerKey 'f9bkDoKmwCvqqieFqWC904Nce' is no literal. */
'use strict';

// A global constant: a Cordova config script keeps its top-level names when minified.
const TWITTER_ACCESS_TOKEN_SECRET = 'qLiEZeelZOC65zo5hJZZ2qARB7zlVtSNPJoHIg45TmQLI';

// A class whose constructor stores the consumer secret next to the Twitter API host (a scope marker).
class OAuthClient {
  constructor(transport) {
    this.transport = transport;
    this.baseUrl = 'https://api.twitter.com/1.1/';
    this.consumerSecret = 'ThYEz9C11TrbGM0xrVV71JEN6VmQ2qBIbaa5vKspIiQgmEmPk3';
  }
  sign(request) {
    return this.transport.hmac(request, this.consumerSecret + '&' + TWITTER_ACCESS_TOKEN_SECRET);
  }
}

// A call with a header name before its value.
function fetchTimeline(xhr, user) {
  xhr.open('GET', `https://api.example.com/timeline/${user}`);
  xhr.setRequestHeader('X-Api-Key', 'GiGlZnVjViuLityqJ4harQibxxxCVulq');
  xhr.send();
}

var __modules = {};
function __d(factory, id) { __modules[id] = factory; }

__d(function (global, require, module, exports) {
  // Object literals stored as properties: the key names the value, the object's name is its scope.
  exports.firebaseConfig = {apiKey: 'AIzaSycZUJy66I5OIwto0rDNhhPHoWfdmIS9Pa5', authDomain: 'leakdex-sample.firebaseapp.com', projectId: 'leakdex-sample'};
  module.exports.social = {
    twitter: {consumerKey: '4lYinEsWFwX0Foy1xHFLqKOlw', consumerSecret: 'fvqzFSF255DFOenw8tmx0U9EPkIABHoaFfkvyYFgov7iFOLgWg', callback: 'leakdex://oauth'},
  };
  // A chained member assignment: `var a = n.X = "..."` once minified.
  const sessionSecret = module.exports.OAUTH_TOKEN_SECRET = 'FCHdmyjEBIQxJZnKFtE3UtKEqDwkQPjZBN2Q4bfE1b7p2';
  exports.session = function () { return {secret: sessionSecret, client: new OAuthClient(global.transport)}; };
}, 1);

__d(function (global, require, module, exports) {
  // A key and its secret with no name at all, handed around as an array.
  const pair = ['P04V0Zy7mzsQJQMUF0dqy2L8y', 'pQGTmGRJv2IvTcNHWegVpzw6KbvdUCoOGnLStiMkhDQltnCuE7'];
  exports.login = function (sdk) { return sdk.twitterLogin(pair[0], pair[1]); };
}, 2);

__d(function (global, require, module, exports) {
  // Decoys: the same shapes in log text, format strings, placeholders, comments and a regex literal.
  console.log('twitter consumer key looks like yyROI4r9jhaCP27zrYWeYvaqv in the docs');
  var fmt = 'consumerSecret=%s apiKey=%s';
  exports.placeholder = {twitter: {consumerKey: 'YOUR_TWITTER_CONSUMER_KEY', consumerSecret: 'YOUR_TWITTER_CONSUMER_SECRET'}, apiKey: 'AIzaSy-YOUR-API-KEY-GOES-HERE-xxxxxxxxxxx'};
  // consumerSecret: 'aoU8G8FZ2GP4o7DNXWY4Ln8lOBXik9zLKwfsKIec3pmXPFzp5U'
  /* twitter: {consumerKey: 'f9bkDoKmwCvqqieFqWC904Nce'} */
  var quoted = /["']consumerSecret["']\s*:\s*["'][A-Za-z0-9]{50}["']/g, half = exports.width / 2 / 1;
  // Key- and secret-shaped values that are not side by side: no pair.
  exports.samples = ['9599MNih3MKHMtS5MqJ0Cewto', 'https://example.com/docs', 'oOPDDFUJTHvwRhIjYxHlRs3NyudnrxnlaLD8tYdKYNnrDzSmJZ'];
  exports.describe = function (k) { return fmt.replace('%s', k).replace(quoted, '"…"') + half; };
}, 3);

globalThis.__modules = __modules;
