import { randomBytes } from 'node:crypto';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The key that seals the registry change feed's cursors for the clients that see part of the log
 * (area roles, banks): a cursor carries a hub-wide log position, and positions in the clear would
 * count the changes left out between two of the client's own (src/domains/registry-changes/registry-cursor.ts).
 * Kept in the database, not in configuration, so every API process of a scaled-out hub and a
 * restored backup open the cursors the others sealed. Made here, by Node's CSPRNG.
 */
export class RegistryCursorKey1763940000000 implements MigrationInterface {
  name = 'RegistryCursorKey1763940000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE registry.feed_cursor_key (
        id          smallint    PRIMARY KEY CHECK (id = 1),
        key         bytea       NOT NULL CHECK (length(key) = 32),
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`INSERT INTO registry.feed_cursor_key (id, key) VALUES (1, $1)`, [randomBytes(32)]);
    await queryRunner.query(`COMMENT ON TABLE registry.feed_cursor_key IS 'AES-256-GCM key of the registry feed''s sealed cursors; replacing it invalidates the cursors of area and bank clients'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE registry.feed_cursor_key`);
  }
}
