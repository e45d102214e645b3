#!/usr/bin/python3
"""Renders samples/js/src/app.js.in with fake secrets and writes the sample's expected.json.

    make_js.py render OUT.js          fill the {{NAME}} slots
    make_js.py expected OUT.json      planted secrets with rule, severity, context, scope and code (a regex of the code
                                      text, null for none), the shape pair, the decoys
"""
import json, os, string, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'tools'))
from fake_secrets import fill, gen  # noqa: E402

ALNUM = string.ascii_letters + string.digits
URLSAFE = ALNUM + '-_'
HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
S = {
    'GOOGLE_API_KEY': 'AIzaSy' + gen('js-google-api-key', URLSAFE, 33),
    'TWITTER_CONSUMER_KEY': gen('js-tw-consumer-key', ALNUM, 25),
    'TWITTER_CONSUMER_SECRET': gen('js-tw-consumer-secret', ALNUM, 50),
    'OAUTH_CLIENT_CONSUMER_SECRET': gen('js-oauth-client-consumer-secret', ALNUM, 50),
    'TWITTER_ACCESS_TOKEN_SECRET': gen('js-tw-token-secret', ALNUM, 45),
    'OAUTH_TOKEN_SECRET': gen('js-oauth-token-secret', ALNUM, 45),
    'EXAMPLE_API_KEY': gen('js-example-api-key', ALNUM, 32),
    'PAIR_CONSUMER_KEY': gen('js-pair-consumer-key', ALNUM, 25),
    'PAIR_CONSUMER_SECRET': gen('js-pair-consumer-secret', ALNUM, 50),
    'DECOY_COMMENT_KEY': gen('js-decoy-comment-key', ALNUM, 25),
    'DECOY_COMMENT_SECRET': gen('js-decoy-comment-secret', ALNUM, 50),
    'DECOY_LOG_KEY': gen('js-decoy-log-key', ALNUM, 25),
    'DECOY_LONE_KEY': gen('js-decoy-lone-key', ALNUM, 25),
    'DECOY_LONE_SECRET': gen('js-decoy-lone-secret', ALNUM, 50),
}
FILES = ['www/js/app.js', 'index.android.bundle']


def main():
    cmd, out = sys.argv[1], sys.argv[2]
    if cmd == 'render':
        open(out, 'w').write(fill(open(os.path.join(HERE, 'src', 'app.js.in')).read(), S))
        return
    planted = [
        {'ruleId': 'google-api-key', 'severity': 'medium', 'secret': S['GOOGLE_API_KEY'], 'context': 'apiKey', 'scope': 'firebaseConfig', 'code': r'^put firebaseConfig\.apiKey$'},
        {'ruleId': 'twitter-consumer-key', 'severity': 'medium', 'secret': S['TWITTER_CONSUMER_KEY'], 'context': 'consumerKey', 'scope': 'twitter', 'code': r'^put twitter\.consumerKey$'},
        {'ruleId': 'twitter-consumer-secret', 'severity': 'critical', 'secret': S['TWITTER_CONSUMER_SECRET'], 'context': 'consumerSecret', 'scope': 'twitter', 'code': r'^put twitter\.consumerSecret$'},
        {'ruleId': 'twitter-consumer-secret', 'severity': 'critical', 'secret': S['OAUTH_CLIENT_CONSUMER_SECRET'], 'context': 'consumerSecret', 'scope': 'OAuthClient', 'code': r'^put OAuthClient\.consumerSecret in OAuthClient\.constructor$', 'why': 'the Twitter API host in the same class scope'},
        {'ruleId': 'twitter-access-token-secret', 'severity': 'high', 'secret': S['TWITTER_ACCESS_TOKEN_SECRET'], 'context': 'TWITTER_ACCESS_TOKEN_SECRET', 'code': None},
        {'ruleId': 'twitter-access-token-secret', 'severity': 'high', 'secret': S['OAUTH_TOKEN_SECRET'], 'context': 'OAUTH_TOKEN_SECRET', 'scope': 'exports', 'code': r'^put exports\.OAUTH_TOKEN_SECRET$'},
        {'ruleId': 'http-authorization-credential', 'severity': 'high', 'secret': S['EXAMPLE_API_KEY'], 'context': 'X-Api-Key', 'code': r'^arg 1 of \w+\.setRequestHeader after "X-Api-Key" in fetchTimeline$', 'why': 'the receiver is renamed in the minified form'},
    ]
    pair = [
        {'ruleId': 'twitter-consumer-key', 'severity': 'medium', 'confidence': 'medium', 'secret': S['PAIR_CONSUMER_KEY']},
        {'ruleId': 'twitter-consumer-secret', 'severity': 'critical', 'confidence': 'medium', 'secret': S['PAIR_CONSUMER_SECRET']},
    ]
    decoys = [
        {'text': S['DECOY_LOG_KEY'], 'why': 'a key-shaped word inside log text'},
        {'text': S['DECOY_COMMENT_KEY'], 'why': 'in comments (a kept licence comment in the minified form)'},
        {'text': S['DECOY_COMMENT_SECRET'], 'why': 'in a line comment'},
        {'text': S['DECOY_LONE_KEY'], 'why': 'key shape, not followed by a secret shape'},
        {'text': S['DECOY_LONE_SECRET'], 'why': 'secret shape, not right after a key shape'},
        {'text': 'YOUR_TWITTER_CONSUMER_KEY', 'why': 'placeholder'},
        {'text': 'YOUR_TWITTER_CONSUMER_SECRET', 'why': 'placeholder'},
        {'text': 'AIzaSy-YOUR-API-KEY-GOES-HERE-xxxxxxxxxxx', 'why': 'placeholder with the Google key prefix'},
        {'text': 'consumerSecret=%s apiKey=%s', 'why': 'format string'},
    ]
    json.dump({'files': FILES, 'kind': 'js', 'planted': planted, 'shapePair': pair, 'decoys': decoys}, open(out, 'w'), indent=2)
    open(out, 'a').write('\n')


main()
