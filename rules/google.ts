import { BASE64, BASE64URL, fake } from './fake.js';
import type { Rule } from './types.js';

const apiKey = `AIza${fake(BASE64URL, 35, 301)}`;
const fcmServerKey = `AAAA${fake(BASE64URL, 7, 302)}:APA91b${fake(BASE64URL, 134, 303)}`;
const oauthSecret = `GOCSPX-${fake(BASE64URL, 28, 304)}`;
const pkcs8Body = `MIIEvQIBADANBgkqhkiG9w0BAQEFAASC${fake(BASE64, 200, 305)}`;
const serviceAccountKey = `-----BEGIN PRIVATE KEY-----\\n${pkcs8Body.slice(0, 64)}\\n${pkcs8Body.slice(64, 128)}\\n${pkcs8Body.slice(128)}\\n-----END PRIVATE KEY-----\\n`;
const serviceAccountJson = `{
  "type": "service_account",
  "project_id": "demo-project-12345",
  "private_key_id": "${fake('0123456789abcdef', 40, 306)}",
  "private_key": "${serviceAccountKey}",
  "client_email": "uploader@demo-project-12345.iam.gserviceaccount.com"
}`;

/** Names under which Google and Firebase client keys ship by design (google-services.json, GoogleService-Info.plist, manifest meta-data). */
const CLIENT_KEY_CONTEXT =
  /^(?:google_api_key|google_crash_reporting_api_key|com\.google\.android\.geo\.API_KEY|com\.google\.android\.maps\.v2\.API_KEY|current_key|API_KEY|GMSApiKey|(?:google_)?maps_(?:api_)?key)$|firebase/i;

/** SDK calls that take a Google client key (code context): Firebase options, Places, Maps. */
const CLIENT_KEY_SDK = /^arg [01] of (?:com\.google\.firebase\.FirebaseOptions\$Builder\.setApiKey|com\.google\.android\.libraries\.places\.api\.Places\.initialize(?:WithNewPlacesApiEnabled)?|com\.google\.maps\.GeoApiContext\$Builder\.apiKey)(?: |$)/;

/** Google Cloud, Firebase and Google OAuth credentials. */
export const googleRules: Rule[] = [
  {
    id: 'google-api-key',
    provider: 'google',
    title: 'Google API key',
    severity: 'medium',
    confidence: 'high',
    pattern: /(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])/,
    keywords: ['aiza'],
    reason: 'Google API key outside the usual client configuration: check which APIs it unlocks and whether it is restricted',
    adjust: [
      {
        when: { context: CLIENT_KEY_CONTEXT },
        severity: 'low',
        reason: 'public client key (Firebase/Maps configuration): expected in apps; restrict it to the app and to the APIs it needs',
      },
      {
        when: { code: CLIENT_KEY_SDK },
        severity: 'low',
        reason: 'public client key given to the Firebase, Maps or Places SDK: expected in apps; restrict it to the app and to the APIs it needs',
      },
    ],
    examples: {
      match: [apiKey, { text: apiKey, context: 'google_api_key' }, { text: apiKey, context: 'com.google.android.geo.API_KEY' }, `https://maps.googleapis.com/maps/api/geocode/json?key=${apiKey}`, { text: apiKey, code: 'arg 0 of com.google.firebase.FirebaseOptions$Builder.setApiKey in a.b.c.a' }],
      noMatch: [`AIza${fake(BASE64URL, 34, 307)}`, `AIza${fake(BASE64URL, 36, 308)}`, `AIza${'x'.repeat(35)}`, { text: 'YOUR_API_KEY', context: 'google_api_key' }],
    },
  },
  {
    id: 'firebase-database-url',
    provider: 'firebase',
    title: 'Firebase Realtime Database URL',
    severity: 'low',
    confidence: 'high',
    pattern: /https:\/\/(?:[a-z0-9-]{3,63}\.firebaseio\.com|[a-z0-9-]{3,63}-default-rtdb\.[a-z0-9-]{3,30}\.firebasedatabase\.app)(?![a-z0-9.-])/,
    keywords: ['firebaseio.com', 'firebasedatabase.app'],
    reason: 'public by design, but check that the database rules do not allow unauthenticated reads or writes',
    examples: {
      match: [
        { text: 'https://orbit-notes-3f2a1.firebaseio.com', context: 'firebase_database_url' },
        'https://orbit-notes-3f2a1-default-rtdb.europe-west1.firebasedatabase.app',
        '{"url":"https://orbit-notes-3f2a1.firebaseio.com/users.json"}',
      ],
      noMatch: ['https://firebaseio.com', 'https://your-project-id.firebaseio.com', 'http://orbit-notes.firebaseio.com.evil.example'],
    },
  },
  {
    id: 'firebase-fcm-server-key',
    provider: 'firebase',
    title: 'Firebase Cloud Messaging legacy server key',
    severity: 'high',
    confidence: 'high',
    pattern: /(?<![A-Za-z0-9_-])AAAA[A-Za-z0-9_-]{7}:APA91b[A-Za-z0-9_-]{120,160}(?![A-Za-z0-9_-])/,
    keywords: ['apa91b'],
    reason: 'server key: anyone holding it can send push notifications to every user of the app',
    examples: {
      match: [fcmServerKey, `key=${fcmServerKey}`],
      noMatch: [`dGhpcyBpcyB:APA91b${fake(BASE64URL, 134, 309)}`, `AAAA${fake(BASE64URL, 7, 310)}:APA91b${fake(BASE64URL, 40, 311)}`],
    },
  },
  {
    id: 'google-oauth-client-secret',
    provider: 'google',
    title: 'Google OAuth client secret',
    severity: 'high',
    confidence: 'high',
    pattern: /(?<![A-Za-z0-9_-])GOCSPX-[A-Za-z0-9_-]{28}(?![A-Za-z0-9_-])/,
    keywords: ['gocspx-'],
    examples: {
      match: [oauthSecret, { text: `"client_secret":"${oauthSecret}"`, context: 'installed' }],
      noMatch: [`GOCSPX-${fake(BASE64URL, 27, 312)}`, `GOCSPX-${'x'.repeat(28)}`],
    },
  },
  {
    id: 'gcp-service-account',
    provider: 'gcp',
    title: 'Google Cloud service account key',
    severity: 'critical',
    confidence: 'high',
    // The secret is the key's private_key_id: the same whether the JSON is one string or decoded field by field.
    pattern: /"private_key_id"\s{0,4}:\s{0,4}"(?<secret>[0-9a-f]{40})"/,
    keywords: ['service_account'],
    textMustMatch: [/"type"\s{0,4}:\s{0,4}"service_account"/, /-----BEGIN PRIVATE KEY-----/],
    supersedes: ['private-key'],
    shapes: [
      {
        // Decoded JSON: the private_key_id value, reported with (and absorbing) the private key in the same file.
        pattern: /^[0-9a-f]{40}$/,
        keywords: [],
        whole: { length: [40, 40] },
        context: { require: /^private_key_id$/i },
        pairWith: { ruleId: 'private-key', severity: 'critical', confidence: 'high', reason: 'service account key file: acts as the service account on Google Cloud', required: true, absorb: true },
      },
    ],
    reason: 'service account key file: acts as the service account on Google Cloud',
    examples: {
      match: [serviceAccountJson, serviceAccountJson.replace(/\n\s*/g, '')],
      noMatch: [
        { text: fake('0123456789abcdef', 40, 313), context: 'private_key_id' },
        serviceAccountJson.replace('"service_account"', '"authorized_user"'),
        serviceAccountJson.replace(/"private_key": "[^"]*",/, ''),
        '{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\\nxxxxxxxx\\n-----END PRIVATE KEY-----\\n"}',
      ],
    },
  },
];
