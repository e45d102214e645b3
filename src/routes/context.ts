import type { FastifyRequest } from 'fastify';
import type { AuthContext } from '../service/auth.js';
import type { Scope } from '../store/types.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Scope an API key needs for this route; routes without one are public. */
    scope?: Scope;
    /** A signed link (`?link=`, src/service/links.ts) may stand in for an API key on this route. */
    signedLinks?: boolean;
  }
  interface FastifyRequest {
    /** The caller, set by the auth hook on routes that declare a scope. */
    auth?: AuthContext;
  }
}

/** The authenticated caller of a route that declares a scope. */
export function caller(request: FastifyRequest): AuthContext {
  if (!request.auth) throw new Error('route without a scope asked for the caller');
  return request.auth;
}
