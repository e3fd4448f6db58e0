/**
 * Which contact, in which instance and region, a hand-back writes to — and only ever to an instance
 * the operator configured (AMAZON_CONNECT_INSTANCE_ID: one or more instance ids or instance ARNs).
 * The X-Amzn-* headers come from the network: they may choose *which* configured instance a call
 * belongs to, never add one. Without this, an INVITE naming someone else's instance in
 * X-Amzn-SourceArn got a write signed with our credentials there (a confused deputy).
 *
 * UpdateContactAttributes wants the *initial* contact id (the first contact of the chain): the
 * X-Amzn-ConnectInitialContactId header when the INVITE carries it, else the contact id itself (a
 * contact that was never transferred is its own initial contact); it must be a UUID.
 *
 * Instance: the configured one the contact ARN (X-Amzn-SourceArn, else X-Amzn-TargetArn) names; with
 * no ARN in the INVITE, the configured instance when there is exactly one. An ARN naming an instance,
 * region or account outside the configuration is refused. Region: a configured ARN's region; for a
 * configured bare id, the contact ARN's region when it names that instance (with Global Resiliency
 * that is where the contact is active), else AWS_REGION.
 */
import { err, ok, type Result } from '../result.js';
import type { ConnectCallContext } from './context.js';
import { AWS_REGION_PATTERN, CONNECT_INSTANCE_ARN, type AllowedConnectInstance } from './connect-api-config.js';
import { connectError, type ConnectApiError } from './errors.js';
import { excerpt } from '../describe-error.js';

export interface HandBackTarget {
  instanceId: string;
  initialContactId: string;
  region: string;
}

export interface HandBackTargetConfig {
  /** The instances hand-back may write to; empty: hand-back writes are disabled. */
  instances: readonly AllowedConnectInstance[];
  /** AWS_REGION. */
  region?: string | undefined;
}

export type HandBackTargetResult = Result<HandBackTarget, ConnectApiError>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function resolveHandBackTarget(context: ConnectCallContext, config: HandBackTargetConfig): HandBackTargetResult {
  if (config.instances.length === 0) {
    return err(connectError('CONNECT_ERR_NOT_CONFIGURED', 'hand-back writes are disabled: AMAZON_CONNECT_INSTANCE_ID is not set'));
  }
  const initialContactId = context.initialContactId ?? context.contactId;
  if (initialContactId === undefined) {
    return err(connectError('CONNECT_ERR_NO_TARGET', 'no contact id: the INVITE carried neither X-Amzn-ConnectInitialContactId nor X-Amzn-ConnectContactId'));
  }
  if (!UUID.test(initialContactId)) {
    return err(connectError('CONNECT_ERR_REFUSED', `contact id is not a UUID: ${excerpt(initialContactId)}`));
  }
  const named = contactArn(context);
  if (named !== undefined && !named.ok) return named;
  const fromArn = named?.value;
  let allowed: AllowedConnectInstance | undefined;
  if (fromArn === undefined) {
    if (config.instances.length > 1) {
      return err(connectError('CONNECT_ERR_REFUSED', 'the INVITE names no instance (X-Amzn-SourceArn) and several are configured'));
    }
    allowed = config.instances[0];
  } else {
    allowed = config.instances.find((i) => i.instanceId.toLowerCase() === fromArn.instanceId.toLowerCase());
    const refusal =
      allowed === undefined
        ? `instance ${excerpt(fromArn.instanceId)} is not a configured instance`
        : allowed.region !== undefined && allowed.region !== fromArn.region
          ? `instance region ${excerpt(fromArn.region)} is not the configured ${allowed.region}`
          : allowed.account !== undefined && allowed.account !== fromArn.account
            ? `account ${fromArn.account} is not the configured ${allowed.account}`
            : undefined;
    if (refusal !== undefined) return err(connectError('CONNECT_ERR_REFUSED', `contact ARN refused: ${refusal}`));
  }
  if (allowed === undefined) return err(connectError('CONNECT_ERR_NOT_CONFIGURED', 'no configured Connect instance'));
  const region = allowed.region ?? fromArn?.region ?? config.region;
  if (region === undefined) {
    return err(connectError('CONNECT_ERR_NO_TARGET', 'no AWS region: set AWS_REGION or configure the instance by its ARN'));
  }
  return ok({ instanceId: allowed.instanceId, initialContactId, region });
}

type NamedInstance = { instanceId: string; region: string; account: string };

/** The instance the INVITE's contact ARN names; an ARN header that is not a Connect instance ARN is refused. */
function contactArn(context: ConnectCallContext): Result<NamedInstance, ConnectApiError> | undefined {
  for (const [header, arn] of [
    ['X-Amzn-SourceArn', context.sourceArn],
    ['X-Amzn-TargetArn', context.targetArn],
  ] as const) {
    if (arn === undefined) continue;
    const m = CONNECT_INSTANCE_ARN.exec(arn);
    const region = m?.[1];
    if (m === null || region === undefined || !AWS_REGION_PATTERN.test(region)) {
      return err(connectError('CONNECT_ERR_REFUSED', `${header} is not an Amazon Connect instance ARN: ${excerpt(arn)}`));
    }
    return ok({ region, account: m[2] as string, instanceId: m[3] as string });
  }
  return undefined;
}
