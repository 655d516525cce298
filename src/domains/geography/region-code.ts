import { registerEnumType } from 'type-graphql';

/** The six regions of the reference data (ภาค), as the API names them. */
export enum RegionCode {
  NORTH = 'NORTH',
  NORTHEAST = 'NORTHEAST',
  CENTRAL = 'CENTRAL',
  EAST = 'EAST',
  WEST = 'WEST',
  SOUTH = 'SOUTH',
}

registerEnumType(RegionCode, {
  name: 'RegionCode',
  description: 'Region of Thailand (ภาค), six-region scheme of the reference data.',
  valuesConfig: {
    NORTH: { description: 'Northern region (ภาคเหนือ).' },
    NORTHEAST: { description: 'Northeastern region (ภาคตะวันออกเฉียงเหนือ).' },
    CENTRAL: { description: 'Central region, with Bangkok (ภาคกลาง).' },
    EAST: { description: 'Eastern region, with the EEC provinces (ภาคตะวันออก).' },
    WEST: { description: 'Western region (ภาคตะวันตก).' },
    SOUTH: { description: 'Southern region (ภาคใต้).' },
  },
});

/** How reference.province.region spells each region. */
export const REGION_IN_DATABASE: Readonly<Record<RegionCode, string>> = {
  NORTH: 'North',
  NORTHEAST: 'Northeast',
  CENTRAL: 'Central',
  EAST: 'East',
  WEST: 'West',
  SOUTH: 'South',
};

export function regionCodeOf(databaseValue: string | null): RegionCode | null {
  if (databaseValue === null) return null;
  const entry = Object.entries(REGION_IN_DATABASE).find(([, value]) => value === databaseValue);
  return entry ? (entry[0] as RegionCode) : null;
}
