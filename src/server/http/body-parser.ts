import type { FastifyInstance } from 'fastify';

/**
 * Every body arrives as a raw Buffer whatever its Content-Type (JSON, octet-stream, none):
 * Triton's clients send binary tensors with `application/octet-stream`, curl sends
 * `application/x-www-form-urlencoded`, the C++ client sometimes nothing. The codecs decide.
 */
export function registerBodyParser(app: FastifyInstance, bodyLimit: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_request, body, done) => done(null, body));
}
