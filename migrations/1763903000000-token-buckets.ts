import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-client limits as token buckets shared by the API processes when REDIS_URL is unset
 * (src/access/token-bucket.ts): one row per client and limit, charged by `access.take_tokens` in one
 * call, so that the row's lock makes concurrent charges from several processes queue. Replaces
 * rate-limiter-flexible's fixed-window counters (`access.rate_limit`). Unlogged: after a crash the
 * buckets start full, which costs a client nothing.
 */
export class TokenBuckets1763903000000 implements MigrationInterface {
  name = 'TokenBuckets1763903000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS access.rate_limit`);
    await queryRunner.query(`
      CREATE UNLOGGED TABLE access.rate_bucket (
        key          text             PRIMARY KEY,
        tokens       double precision NOT NULL,
        refilled_at  timestamptz      NOT NULL
      )`);
    await queryRunner.query(`COMMENT ON TABLE access.rate_bucket IS 'token buckets of the per-client limits (requests and query cost), when REDIS_URL is unset; see src/access/token-bucket.ts'`);
    // Refill to now, then take the amount if it is there; returns the tokens before the charge.
    await queryRunner.query(`
      CREATE FUNCTION access.take_tokens(p_key text, p_capacity float8, p_per_second float8, p_amount float8) RETURNS float8
      LANGUAGE plpgsql AS $$
      DECLARE
        available float8;
      BEGIN
        INSERT INTO access.rate_bucket AS b (key, tokens, refilled_at) VALUES (p_key, p_capacity, now())
        ON CONFLICT (key) DO UPDATE
          SET tokens = least(p_capacity, b.tokens + greatest(0, extract(epoch FROM now() - b.refilled_at)) * p_per_second),
              refilled_at = now()
        RETURNING tokens INTO available;
        IF available >= p_amount THEN
          UPDATE access.rate_bucket SET tokens = tokens - p_amount WHERE key = p_key;
        END IF;
        RETURN available;
      END $$`);
    // Full buckets are the default: rows of clients idle for a day are dropped by the API processes.
    await queryRunner.query(`CREATE INDEX rate_bucket_refilled_at_idx ON access.rate_bucket (refilled_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION access.take_tokens(text, float8, float8, float8)`);
    await queryRunner.query(`DROP TABLE access.rate_bucket`);
    await queryRunner.query(`
      CREATE UNLOGGED TABLE access.rate_limit (
        key    varchar(255) PRIMARY KEY,
        points integer NOT NULL DEFAULT 0,
        expire bigint
      )`);
  }
}
