import type { MigrationInterface, QueryRunner } from 'typeorm';
import { loadPromotionCentres } from '../src/reference/promotion-areas';
import { loadProvinces } from '../src/reference/reference-data';

/**
 * The regional centres as the API serves them (docs/access-and-audit.md, "Centres and groups"):
 * - each centre's Industry Transformation Center (ITC 4.0), which the domain brief says every centre
 *   hosts (the names are assumed wording, data/reference/README.md);
 * - provinces.csv 2026-12: centre 7 serves Buri Ram, Surin, Si Sa Ket "and two more" (five), as its
 *   own pages say; the 2024-01 guess gave it six, so Yasothon moves to centre 5 (Roi Et's). Company
 *   profiles carry their centre, so theirs follow, and area keys of centre 5 and 7 see the change at
 *   their next authentication (a centre's provinces are read with the key).
 */
export class CentresAndGroups1763935100000 implements MigrationInterface {
  name = 'CentresAndGroups1763935100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE reference.promotion_centre ADD COLUMN itc_name_th text, ADD COLUMN itc_name_en text`);
    for (const c of loadPromotionCentres()) {
      await queryRunner.query(`UPDATE reference.promotion_centre SET itc_name_th = $2, itc_name_en = $3, version = $4 WHERE number = $1`, [c.number, c.itcNameTh, c.itcNameEn, c.version]);
    }
    await queryRunner.query(`ALTER TABLE reference.promotion_centre ALTER COLUMN itc_name_th SET NOT NULL, ALTER COLUMN itc_name_en SET NOT NULL`);
    await reloadCentresOfProvinces(queryRunner);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE reference.promotion_centre DROP COLUMN itc_name_th, DROP COLUMN itc_name_en`);
  }
}

/** Sets each province's centre from provinces.csv, then the centre of the profiles of companies there. */
async function reloadCentresOfProvinces(queryRunner: QueryRunner): Promise<void> {
  const provinces = loadProvinces();
  await queryRunner.query(
    `UPDATE reference.province p SET promotion_centre = v.centre
     FROM unnest($1::text[], $2::smallint[]) AS v(code, centre) WHERE p.code = v.code AND p.promotion_centre <> v.centre`,
    [provinces.rows.map((p) => p.code), provinces.rows.map((p) => p.promotionCentre)],
  );
  await queryRunner.query(
    `UPDATE registry.company_profile cp SET promotion_centre = p.promotion_centre
     FROM reference.province p WHERE p.code = cp.province_code AND cp.promotion_centre IS DISTINCT FROM p.promotion_centre`,
  );
  await queryRunner.query(
    `INSERT INTO reference.dataset_version (dataset, version, row_count) VALUES ('province', $1, $2) ON CONFLICT (dataset, version) DO NOTHING`,
    [provinces.version, provinces.rows.length],
  );
}
