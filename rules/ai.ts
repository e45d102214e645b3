import { CS, bound, prefixed } from './build.js';
import type { Rule } from './types.js';

export const PAID = 'API key of a paid AI service: anyone holding it runs requests billed to the account and may read its stored data';

/** AI and ML APIs: keys shipped in apps get abused for free inference within hours. */
export const aiRules: Rule[] = [
  prefixed({ id: 'openai-api-key', provider: 'openai', title: 'OpenAI API key', severity: 'critical', parts: ['sk-proj-', [CS.b64url, 58, 74], 'T3BlbkFJ', [CS.b64url, 58, 74]], prefixes: ['sk-proj-', 'sk-svcacct-', 'sk-admin-'], boundary: 'A-Za-z0-9_-', reason: PAID, seed: 3001 }),
  prefixed({ id: 'openai-api-key-legacy', provider: 'openai', title: 'OpenAI API key (legacy)', severity: 'critical', parts: ['sk-', [CS.alnum, 20], 'T3BlbkFJ', [CS.alnum, 20]], boundary: 'A-Za-z0-9_-', reason: PAID, seed: 3002 }),
  prefixed({ id: 'anthropic-api-key', provider: 'anthropic', title: 'Anthropic API key', severity: 'critical', parts: ['sk-ant-api03-', [CS.b64url, 93], 'AA'], prefixes: ['sk-ant-api03-', 'sk-ant-admin01-'], boundary: 'A-Za-z0-9_-', reason: PAID, seed: 3003 }),
  prefixed({ id: 'huggingface-token', provider: 'huggingface', title: 'Hugging Face access token', severity: 'high', parts: ['hf_', [CS.alpha, 34]], prefixes: ['hf_', 'api_org_'], secretMustMatch: [/[a-z]/, /[A-Z]/], minEntropy: 3.8, seed: 3004 }),
  prefixed({ id: 'replicate-token', provider: 'replicate', title: 'Replicate API token', severity: 'critical', parts: ['r8_', [CS.alnum, 37]], secretMustMatch: [/[0-9]/, /[A-Z]/], reason: PAID, seed: 3005 }),
  prefixed({ id: 'groq-api-key', provider: 'groq', title: 'Groq API key', severity: 'critical', parts: ['gsk_', [CS.alnum, 52]], secretMustMatch: [/[0-9]/, /[A-Z]/], reason: PAID, seed: 3006 }),
  prefixed({ id: 'perplexity-api-key', provider: 'perplexity', title: 'Perplexity API key', severity: 'critical', parts: ['pplx-', [CS.alnum, 48]], boundary: 'A-Za-z0-9_-', secretMustMatch: [/[0-9]/], reason: PAID, seed: 3007 }),
  prefixed({ id: 'xai-api-key', provider: 'xai', title: 'xAI (Grok) API key', severity: 'critical', parts: ['xai-', [CS.alnum, 80]], boundary: 'A-Za-z0-9_-', secretMustMatch: [/[0-9]/, /[A-Z]/], reason: PAID, seed: 3008 }),
  prefixed({ id: 'openrouter-api-key', provider: 'openrouter', title: 'OpenRouter API key', severity: 'critical', parts: ['sk-or-v1-', [CS.hex, 64]], boundary: 'A-Za-z0-9_-', reason: PAID, seed: 3009 }),
  prefixed({ id: 'elevenlabs-api-key', provider: 'elevenlabs', title: 'ElevenLabs API key', severity: 'high', parts: ['sk_', [CS.hex, 48]], reason: PAID, seed: 3010 }),
  prefixed({ id: 'pinecone-api-key', provider: 'pinecone', title: 'Pinecone API key', severity: 'critical', parts: ['pcsk_', [CS.alnum, 5, 6], '_', [CS.alnum, 60, 70]], seed: 3011 }),
  prefixed({ id: 'langsmith-api-key', provider: 'langchain', title: 'LangSmith API key', severity: 'high', parts: ['lsv2_pt_', [CS.hex, 32], '_', [CS.hex, 10]], prefixes: ['lsv2_pt_', 'lsv2_sk_'], seed: 3012 }),
  bound({ id: 'cohere-api-key', provider: 'cohere', title: 'Cohere API key', severity: 'critical', parts: [[CS.alnum, 40]], context: /cohere|co_api_key/i, names: ['COHERE_API_KEY', 'CO_API_KEY'], minEntropy: 4, secretMustMatch: [/[a-z]/, /[A-Z]/, /[0-9]/], reason: PAID, seed: 3013 }),
  bound({ id: 'mistral-api-key', provider: 'mistral', title: 'Mistral AI API key', severity: 'critical', parts: [[CS.alnum, 32]], context: /mistral/i, names: ['MISTRAL_API_KEY'], minEntropy: 3.8, secretMustMatch: [/[a-z]/, /[A-Z]/, /[0-9]/], reason: PAID, seed: 3014 }),
  bound({ id: 'deepseek-api-key', provider: 'deepseek', title: 'DeepSeek API key', severity: 'critical', parts: ['sk-', [CS.hex, 32]], context: /deepseek/i, names: ['DEEPSEEK_API_KEY'], reason: PAID, seed: 3015 }),
  bound({ id: 'assemblyai-api-key', provider: 'assemblyai', title: 'AssemblyAI API key', severity: 'high', parts: [[CS.hex, 32]], context: /assembly.?ai/i, names: ['ASSEMBLYAI_API_KEY'], minEntropy: 3.4, reason: PAID, seed: 3016 }),
  bound({ id: 'deepgram-api-key', provider: 'deepgram', title: 'Deepgram API key', severity: 'high', parts: [[CS.hex, 40]], context: /deepgram/i, names: ['DEEPGRAM_API_KEY'], minEntropy: 3.4, reason: PAID, seed: 3017 }),
  bound({ id: 'stability-api-key', provider: 'stability', title: 'Stability AI API key', severity: 'high', parts: ['sk-', [CS.alnum, 48]], context: /stability|dreamstudio/i, names: ['STABILITY_API_KEY'], secretMustMatch: [/[a-z]/, /[A-Z]/, /[0-9]/], reason: PAID, seed: 3018 }),
  bound({ id: 'together-api-key', provider: 'together', title: 'Together AI API key', severity: 'high', parts: [[CS.hex, 64]], context: /together/i, names: ['TOGETHER_API_KEY'], minEntropy: 3.5, reason: PAID, seed: 3019 }),
  bound({ id: 'clarifai-api-key', provider: 'clarifai', title: 'Clarifai API key', severity: 'high', parts: [[CS.hex, 32]], context: /clarifai/i, names: ['CLARIFAI_API_KEY'], minEntropy: 3.4, seed: 3021 }),
];
