import fs from 'node:fs/promises';
import { isEnumType, isInputObjectType, isInterfaceType, isObjectType } from 'graphql';
import { getMetadataStorage } from 'type-graphql';
import { printHubSchema, SCHEMA_FILE } from '../../src/app/api/emit-schema';
import { apiNodeTypes, buildHubSchema } from '../../src/app/api/schema';
import { isPermission, may, PERMISSION_NAMES } from '../../src/access/permissions';
import { ROLES } from '../../src/access/roles';
import { LIMIT_DEFAULTS } from '../../src/config/config';

describe('GraphQL schema', () => {
  test('schema/schema.graphql is what the code emits (run `npm run schema:emit` after changing the API)', async () => {
    expect(await fs.readFile(SCHEMA_FILE, 'utf8')).toBe(await printHubSchema());
  });

  test('every query, mutation and guarded field declares exactly one permission of the table', async () => {
    const schema = await buildHubSchema();
    const storage = getMetadataStorage();
    const rootFields = [...Object.keys(schema.getQueryType()?.getFields() ?? {}), ...Object.keys(schema.getMutationType()?.getFields() ?? {})];
    expect(rootFields.length).toBeGreaterThan(0);
    const handlers = [...storage.queries, ...storage.mutations];
    const unguarded = rootFields.filter((field) => {
      const handler = handlers.find((h) => h.schemaName === field);
      if (!handler) return true;
      const authorized = storage.authorizedFields.find((a) => a.target === handler.target && a.fieldName === handler.methodName);
      return !authorized || authorized.roles.length !== 1 || !isPermission(String(authorized.roles[0]));
    });
    expect(unguarded).toEqual([]);
    // A role name where a permission belongs (the old style) is refused too.
    const notPermissions = storage.authorizedFields.filter((a) => a.roles.length !== 1 || !isPermission(String(a.roles[0]))).map((a) => `${a.target.name}.${a.fieldName}`);
    expect(notPermissions).toEqual([]);
  });

  test('every node type needs a permission of the table', () => {
    const registry = apiNodeTypes();
    expect(registry.typeNames().length).toBeGreaterThan(10);
    for (const name of registry.typeNames()) expect(PERMISSION_NAMES).toContain(registry.permissionOf(name));
  });

  test('each role is named once: the permission table and the limits know every role', () => {
    for (const role of ROLES) expect(PERMISSION_NAMES.some((permission) => may(role, permission))).toBe(true);
    for (const perRole of Object.values(LIMIT_DEFAULTS)) expect(Object.keys(perRole).sort()).toEqual([...ROLES].sort());
  });

  test('every type, field, argument and enum value has a description', async () => {
    const schema = await buildHubSchema();
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      // Root types are described by their fields.
      if (type.name.startsWith('__') || ['String', 'Int', 'Float', 'Boolean', 'ID', 'Query', 'Mutation'].includes(type.name)) continue;
      if (!type.description) missing.push(type.name);
    }
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || !(isObjectType(type) || isInterfaceType(type) || isInputObjectType(type))) continue;
      for (const field of Object.values(type.getFields())) {
        if (!field.description) missing.push(`${type.name}.${field.name}`);
        for (const arg of 'args' in field ? field.args : []) if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name})`);
      }
      if (isEnumType(type)) for (const value of type.getValues()) if (!value.description) missing.push(`${type.name}.${value.name}`);
    }
    expect(missing).toEqual([]);
  });
});
