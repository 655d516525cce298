import { registerEnumType } from 'type-graphql';

/** Direction of every sortable list (companies, factories, licences). */
export enum SortDirection {
  ASC = 'ASC',
  DESC = 'DESC',
}
registerEnumType(SortDirection, { name: 'SortDirection', description: 'Sort direction.', valuesConfig: { ASC: { description: 'Ascending.' }, DESC: { description: 'Descending.' } } });
