import type { GraphQLContext } from '../api-context';
import type { NodeTypeDefinition } from './node-registry';

/** A node type of the domains, loaded with their GraphQL context (see NodeTypeDefinition). */
export type DomainNodeType = NodeTypeDefinition<GraphQLContext>;

export function nodeType(typeName: string, type: Omit<DomainNodeType, 'typeName'>): DomainNodeType {
  return { typeName, ...type };
}
