#!/usr/bin/python3
"""Renders samples/hermes/src/index.js.in with fake secrets and writes the sample's expected.json.

    make_hermes.py render OUT.js          fill the {{NAME}} slots
    make_hermes.py expected OUT.json      planted secrets with rule, severity and context, the shape pair, the decoys
"""
import json, os, string, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'tools'))
from fake_secrets import gen  # noqa: E402

ALNUM = string.ascii_letters + string.digits
HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
URLSAFE = ALNUM + '-_'
S = {
    'GOOGLE_API_KEY': 'AIzaSy' + gen('hermes-google-api-key', URLSAFE, 33),
    'TWITTER_CONSUMER_KEY': gen('hermes-tw-consumer-key', ALNUM, 25),
    'TWITTER_CONSUMER_SECRET': gen('hermes-tw-consumer-secret', ALNUM, 50),
    'TWITTER_ACCESS_TOKEN_SECRET': gen('hermes-tw-token-secret', ALNUM, 45),
    'SESSION_TOKEN_SECRET': gen('hermes-session-token-secret', ALNUM, 45),
    'DECOY_KEY_SHAPE': gen('hermes-decoy-key-shape', ALNUM, 25),
    'PAIR_CONSUMER_KEY': gen('hermes-pair-consumer-key', ALNUM, 25),
    'PAIR_CONSUMER_SECRET': gen('hermes-pair-consumer-secret', ALNUM, 50),
}
ENTRY = 'index.android.bundle'


def main():
    cmd, out = sys.argv[1], sys.argv[2]
    if cmd == 'render':
        text = open(os.path.join(HERE, 'src', 'index.js.in')).read()
        for k, v in S.items():
            text = text.replace('{{%s}}' % k, v)
        open(out, 'w').write(text)
        return
    planted = [
        {'ruleId': 'google-api-key', 'severity': 'medium', 'secret': S['GOOGLE_API_KEY'], 'context': 'apiKey', 'scope': 'firebaseConfig'},
        {'ruleId': 'twitter-consumer-key', 'severity': 'medium', 'secret': S['TWITTER_CONSUMER_KEY'], 'context': 'twitterConsumerKey', 'scope': 'social'},
        {'ruleId': 'twitter-consumer-secret', 'severity': 'critical', 'secret': S['TWITTER_CONSUMER_SECRET'], 'context': 'twitterConsumerSecret', 'scope': 'social'},
        {'ruleId': 'twitter-access-token-secret', 'severity': 'high', 'secret': S['TWITTER_ACCESS_TOKEN_SECRET'], 'context': 'oauthTokenSecret'},
        {'ruleId': 'twitter-access-token-secret', 'severity': 'high', 'secret': S['SESSION_TOKEN_SECRET'], 'context': 'accessTokenSecret', 'via': 'closure variable'},
    ]
    decoys = [
        {'text': S['DECOY_KEY_SHAPE'], 'why': 'a key-shaped word inside log text'},
        {'text': 'YOUR_TWITTER_CONSUMER_KEY', 'why': 'placeholder'},
        {'text': 'AIzaSy-YOUR-API-KEY-GOES-HERE-xxxxxxxxxxx', 'why': 'placeholder with the Google key prefix'},
        {'text': 'consumerSecret=%s apiKey=%s', 'why': 'format string'},
    ]
    shape_pair = [
        {'ruleId': 'twitter-consumer-key', 'severity': 'medium', 'confidence': 'medium', 'secret': S['PAIR_CONSUMER_KEY']},
        {'ruleId': 'twitter-consumer-secret', 'severity': 'critical', 'confidence': 'medium', 'secret': S['PAIR_CONSUMER_SECRET']},
    ]
    for p in planted:
        p['entry'] = ENTRY
    json.dump({'file': ENTRY, 'kind': 'hermes', 'planted': planted, 'shapePair': shape_pair, 'decoys': decoys}, open(out, 'w'), indent=2)
    open(out, 'a').write('\n')


main()
