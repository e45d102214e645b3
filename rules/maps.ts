import { CS, bound, prefixed } from './build.js';
import type { Rule } from './types.js';

export const MAP_KEY = 'public by design: map SDKs need the key in the app; restrict it to the app (bundle id, signing certificate) to stop quota abuse';

/** Maps and location services (Google Maps keys are Google API keys, in google.ts). */
export const mapRules: Rule[] = [
  prefixed({
    id: 'mapbox-public-token',
    provider: 'mapbox',
    title: 'Mapbox public access token',
    severity: 'info',
    parts: ['pk.eyJ1', [CS.b64url, 20, 300], '.', [CS.b64url, 22]],
    boundary: 'A-Za-z0-9_.-',
    reason: 'public by design: pk. tokens are meant for clients; restrict them by URL and scope',
    seed: 8001,
  }),
  prefixed({
    id: 'mapbox-secret-token',
    provider: 'mapbox',
    title: 'Mapbox secret access token',
    severity: 'high',
    parts: ['sk.eyJ1', [CS.b64url, 20, 300], '.', [CS.b64url, 22]],
    prefixes: ['sk.eyJ1', 'tk.eyJ1'],
    boundary: 'A-Za-z0-9_.-',
    reason: 'secret token: has the scopes it was created with (uploads, styles, tokens:write); never needed at runtime in an app',
    seed: 8002,
  }),
  bound({ id: 'here-api-key', provider: 'here', title: 'HERE API key', severity: 'low', parts: [[CS.b64url, 43]], context: /here.{0,20}(?:api.?)?key|com\.here\.|^HERE_API_KEY$/i, names: ['HERE_API_KEY', 'com.here.sdk.access_key_secret'], minEntropy: 4, reason: MAP_KEY, seed: 8003 }),
  bound({ id: 'tomtom-api-key', provider: 'tomtom', title: 'TomTom API key', severity: 'low', parts: [[CS.alnum, 32]], context: /tomtom/i, names: ['TOMTOM_API_KEY', 'com.tomtom.sdk.ApiKey'], minEntropy: 3.8, secretMustMatch: [/[a-z]/, /[A-Z]/, /[0-9]/], reason: MAP_KEY, seed: 8004 }),
  bound({ id: 'bing-maps-key', provider: 'bing', title: 'Bing Maps key', severity: 'low', parts: [[CS.b64url, 64]], context: /bing.{0,20}(?:maps?.?)?key/i, names: ['BING_MAPS_KEY'], minEntropy: 4, reason: MAP_KEY, seed: 8005 }),
  bound({ id: 'amap-api-key', provider: 'amap', title: 'Amap (AutoNavi) API key', severity: 'info', parts: [[CS.hex, 32]], context: /com\.amap\.api\.v2\.apikey|amap.{0,20}key|gaode/i, names: ['com.amap.api.v2.apikey', 'AMAP_KEY'], minEntropy: 3, reason: MAP_KEY, seed: 8006 }),
  bound({ id: 'baidu-map-key', provider: 'baidu', title: 'Baidu Maps / LBS API key', severity: 'info', parts: [[CS.alnum, 24, 32]], context: /com\.baidu\.lbsapi\.API_KEY|baidu.{0,20}(?:map|lbs).{0,10}key/i, names: ['com.baidu.lbsapi.API_KEY'], minEntropy: 3.6, secretMustMatch: [/[a-zA-Z]/, /[0-9]/], reason: MAP_KEY, seed: 8007 }),
  bound({ id: 'baidu-secret-key', provider: 'baidu', title: 'Baidu AI/Cloud secret key', severity: 'high', parts: [[CS.alnum, 32]], context: /baidu.{0,20}secret/i, names: ['BAIDU_SECRET_KEY'], minEntropy: 3.8, secretMustMatch: [/[a-zA-Z]/, /[0-9]/], seed: 8008 }),
  prefixed({ id: 'foursquare-api-key', provider: 'foursquare', title: 'Foursquare Places API key', severity: 'medium', parts: ['fsq3', [CS.b64, 44]], boundary: 'A-Za-z0-9+/=', reason: 'Places API key billed to the account', seed: 8010 }),
  bound({ id: 'openweathermap-api-key', provider: 'openweathermap', title: 'OpenWeatherMap API key', severity: 'low', parts: [[CS.hex, 32]], context: /open.?weather|owm.{0,10}key/i, names: ['OPENWEATHER_API_KEY', 'owm_api_key'], minEntropy: 3, reason: 'quota-limited data API key: abuse costs quota or money', seed: 8011 }),
];
