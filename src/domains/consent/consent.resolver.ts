import { P } from '../../access/permissions';
import { Arg, Args, ArgsType, Authorized, Ctx, Field, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { JuristicIdScalar } from '../scalars';
import { MAX_PAGE_SIZE } from '../../platform/graphql/connection';
import type { GraphQLContext } from '../api-context';
import { companyById } from '../company/company.loaders';
import { Company } from '../company/company.type';
import { consentById } from './consent.loaders';
import { Consent, ConsentConnection, ConsentFilter, DataAccessLogConnection, DataAccessLogEntry, GrantConsentInput } from './consent.type';

@ArgsType()
class ConsentsArgs {
  @Field(() => ConsentFilter, { nullable: true, description: 'Filters, combined with AND.' })
  filter?: ConsentFilter | null;

  @Field(() => Int, { nullable: true, description: `Page size, 1 to ${MAX_PAGE_SIZE} (default 20).` })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'Cursor after which the page starts (`pageInfo.endCursor` of the previous page).' })
  after?: string | null;
}

@ArgsType()
class DataAccessLogArgs {
  @Field(() => JuristicIdScalar, { nullable: true, description: 'Only reads of this company (a firm’s own key: its own, the default).' })
  juristicId?: string | null;

  @Field(() => Int, { nullable: true, description: `Page size, 1 to ${MAX_PAGE_SIZE} (default 20).` })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'Cursor after which the page starts (`pageInfo.endCursor` of the previous page).' })
  after?: string | null;
}

/**
 * A client's name as another client may see it: the ministry and admins see every client's (they
 * manage them); a bank or firm only its own, since the names of other clients (the ministry's
 * applications, the other keys of a bank) are none of its business (issue 14, L12).
 */
function clientNameShown(caller: GraphQLContext['client'], name: string | null, clientId: string | null): string | null {
  if (caller.role === 'admin' || caller.role === 'ministry') return name;
  return clientId !== null && clientId === caller.id ? name : null;
}

@Resolver(() => Consent)
export class ConsentResolver {
  @Authorized(P.consentsRead)
  @Query(() => ConsentConnection, { description: 'Companies’ consents to the partner banks, newest recorded first. A bank client sees its own bank’s only (naming another bank answers FORBIDDEN); analysts none.' })
  consents(@Args() args: ConsentsArgs, @Ctx() ctx: GraphQLContext): Promise<ConsentConnection> {
    return ctx.services.consents.list(ctx.client, args);
  }

  @Authorized(P.consentsGrant)
  @Mutation(() => Consent, {
    description:
      'Records a company’s consent that a bank may see its financial statements, directors and shareholders for a purpose until a date (ministry and admin clients). BAD_USER_INPUT for a malformed ID, a blank purpose, or a date in the past or more than 10 years ahead; NOT_FOUND for a company the hub does not hold.',
  })
  grantConsent(@Arg('input', () => GrantConsentInput, { description: 'The company, the bank, the purpose and the last valid day.' }) input: GrantConsentInput, @Ctx() ctx: GraphQLContext): Promise<Consent> {
    return ctx.services.consents.grant(ctx.client, input);
  }

  @Authorized(P.consentsRevoke)
  @Mutation(() => Consent, {
    description:
      'Revokes a consent now: from this moment it opens nothing. Ministry and admin clients revoke any consent; a bank client its own bank’s (another bank’s answers FORBIDDEN, as a missing one does). Revoking a revoked consent changes nothing. A later load of the consent registry does not bring it back unless the registry records a new grant.',
  })
  revokeConsent(
    @Arg('id', () => ID, { description: 'The consent’s global ID.' }) id: string,
    @Arg('reason', () => String, { description: 'Why, as the company or the revoker gave it (1 to 500 characters).' }) reason: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Consent> {
    return ctx.services.consents.revoke(ctx.client, id, reason);
  }

  @Authorized(P.accessLogRead)
  @Query(() => DataAccessLogConnection, {
    description:
      'Who read a firm’s data, newest first: every response that carried it, from the read audit (which organisation, when, which field groups, under which consent or basis). The ministry and admins: any firm, or all; a provincial office or regional centre: the firms of its area (`juristicId` required); a firm’s own key: itself.',
  })
  dataAccessLog(@Args() args: DataAccessLogArgs, @Ctx() ctx: GraphQLContext): Promise<DataAccessLogConnection> {
    return ctx.services.consents.accessLog(ctx.client, args);
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'Name of the API client that granted it (origin MUTATION). The ministry and admins see every name; any other client only its own (another client’s name is null).',
  })
  grantedByClient(@Root() consent: Consent, @Ctx() ctx: GraphQLContext): string | null {
    return clientNameShown(ctx.client, consent.grantedByClient, consent.grantedByClientId);
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'Name of the API client that revoked it with `revokeConsent`; null when not revoked or revoked by the registry. Shown as `grantedByClient` is.',
  })
  revokedByClient(@Root() consent: Consent, @Ctx() ctx: GraphQLContext): string | null {
    return clientNameShown(ctx.client, consent.revokedByClient, consent.revokedByClientId);
  }

  @FieldResolver(() => Company, { nullable: true, description: 'The company; null when the hub does not hold it (the registry may name a firm DBD has not loaded yet).' })
  async company(@Root() consent: Consent, @Ctx() ctx: GraphQLContext): Promise<Company | null> {
    return (await companyById(ctx).load(consent.juristicId)) ?? null;
  }
}

@Resolver(() => DataAccessLogEntry)
export class DataAccessLogEntryResolver {
  @FieldResolver(() => Consent, { nullable: true, description: 'The consent the read relied on; null when it needed none (see `lawfulBasis`). See `consents` when several.' })
  async consent(@Root() entry: DataAccessLogEntry, @Ctx() ctx: GraphQLContext): Promise<Consent | null> {
    const first = entry.consentIds[0];
    return first === undefined ? null : ((await consentById(ctx).load(first)) ?? null);
  }

  @FieldResolver(() => [Consent], { description: 'Every consent the read relied on.' })
  async consents(@Root() entry: DataAccessLogEntry, @Ctx() ctx: GraphQLContext): Promise<Consent[]> {
    return (await Promise.all(entry.consentIds.map((id) => consentById(ctx).load(id)))).filter((c): c is Consent => c !== undefined);
  }
}
