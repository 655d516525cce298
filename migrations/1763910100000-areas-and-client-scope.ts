import type { MigrationInterface, QueryRunner } from 'typeorm';
import { loadPromotionCentres, loadProvinceGroups } from '../src/reference/promotion-areas';

/**
 * Area-based development as reference data (the 11 regional industrial promotion centres, the 6
 * groups of provinces with their focus industries), and the clients limited to an area or a firm:
 * `province` (a provincial industry office, or Bangkok's), `centre` (a regional centre: its
 * provinces), `firm` (a firm's own portal key). Each client also declares its purpose and lawful
 * basis, which the read audit records and consent-gated reads are checked against.
 */
export class AreasAndClientScope1763910100000 implements MigrationInterface {
  name = 'AreasAndClientScope1763910100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE reference.promotion_centre (
        number              smallint PRIMARY KEY CHECK (number BETWEEN 1 AND 11),
        name_th             text NOT NULL,
        name_en             text NOT NULL,
        seat_province_code  text NOT NULL REFERENCES reference.province (code),
        seat_confirmed      boolean NOT NULL,
        version             text NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE reference.province_group (
        code              text PRIMARY KEY,
        name_th           text NOT NULL,
        name_en           text NOT NULL,
        region            text NOT NULL UNIQUE,
        focus_industries  text[] NOT NULL,
        version           text NOT NULL
      )`);
    for (const c of loadPromotionCentres()) {
      await queryRunner.query(`INSERT INTO reference.promotion_centre VALUES ($1, $2, $3, $4, $5, $6)`, [c.number, c.nameTh, c.nameEn, c.seatProvinceCode, c.seatConfirmed, c.version]);
    }
    for (const g of loadProvinceGroups()) {
      await queryRunner.query(`INSERT INTO reference.province_group VALUES ($1, $2, $3, $4, $5, $6)`, [g.code, g.nameTh, g.nameEn, g.region, g.focusIndustryCodes, g.version]);
    }
    await queryRunner.query(`ALTER TABLE access.api_client DROP CONSTRAINT api_client_role_check`);
    await queryRunner.query(`
      ALTER TABLE access.api_client
        ADD CONSTRAINT api_client_role_check CHECK (role IN ('admin', 'ministry', 'analyst', 'bank', 'province', 'centre', 'firm')),
        ADD COLUMN province_code text REFERENCES reference.province (code),
        ADD COLUMN centre smallint REFERENCES reference.promotion_centre (number),
        ADD COLUMN juristic_id text CHECK (juristic_id ~ '^0[0-9]{12}$'),
        ADD COLUMN purpose text,
        ADD COLUMN lawful_basis text CHECK (lawful_basis IN ('CONSENT', 'CONTRACT', 'PUBLIC_TASK', 'LEGAL_OBLIGATION', 'LEGITIMATE_INTEREST')),
        ADD CONSTRAINT api_client_province_matches_role CHECK ((role = 'province') = (province_code IS NOT NULL)),
        ADD CONSTRAINT api_client_centre_matches_role CHECK ((role = 'centre') = (centre IS NOT NULL)),
        ADD CONSTRAINT api_client_firm_matches_role CHECK ((role = 'firm') = (juristic_id IS NOT NULL))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM access.api_client WHERE role IN ('province', 'centre', 'firm')`);
    await queryRunner.query(`
      ALTER TABLE access.api_client
        DROP CONSTRAINT api_client_role_check,
        DROP COLUMN province_code, DROP COLUMN centre, DROP COLUMN juristic_id, DROP COLUMN purpose, DROP COLUMN lawful_basis,
        ADD CONSTRAINT api_client_role_check CHECK (role IN ('admin', 'ministry', 'analyst', 'bank'))`);
    await queryRunner.query(`DROP TABLE reference.province_group`);
    await queryRunner.query(`DROP TABLE reference.promotion_centre`);
  }
}
