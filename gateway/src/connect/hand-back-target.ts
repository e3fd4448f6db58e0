/**
 * Which contact, in which instance and region, a hand-back writes to. UpdateContactAttributes wants
 * the *initial* contact id (the first contact of the chain): the X-Amzn-ConnectInitialContactId
 * header when the INVITE carries it, else the contact id itself (a contact that was never
 * transferred is its own initial contact).
 *
 * Instance: the configured one, else the instance in X-Amzn-SourceArn (context.ts reads it), else in
 * X-Amzn-TargetArn. Region: the contact ARN's region when it names the same instance — with Global
 * Resiliency that is where the contact is active — else the configured region.
 */
import { err, ok, type Result } from '../result.js';
import type { ConnectCallContext } from './context.js';
import { CONNECT_INSTANCE_ARN } from './connect-api-config.js';
import { connectError, type ConnectApiError } from './errors.js';

export interface HandBackTarget {
  instanceId: string;
  initialContactId: string;
  region: string;
}

export type HandBackTargetResult = Result<HandBackTarget, ConnectApiError>;

export function resolveHandBackTarget(
  context: ConnectCallContext,
  config: { instanceId?: string | undefined; region?: string | undefined },
): HandBackTargetResult {
  const fromArn = instanceFromContext(context);
  const instanceId = config.instanceId ?? fromArn?.instanceId;
  if (instanceId === undefined) {
    return err(connectError('CONNECT_ERR_NO_TARGET', 'no Connect instance id: set AMAZON_CONNECT_INSTANCE_ID or send X-Amzn-SourceArn'));
  }
  const initialContactId = context.initialContactId ?? context.contactId;
  if (initialContactId === undefined) {
    return err(connectError('CONNECT_ERR_NO_TARGET', 'no contact id: the INVITE carried neither X-Amzn-ConnectInitialContactId nor X-Amzn-ConnectContactId'));
  }
  const arnRegion = fromArn !== undefined && fromArn.instanceId === instanceId ? fromArn.region : undefined;
  const region = arnRegion ?? config.region ?? fromArn?.region;
  if (region === undefined) {
    return err(connectError('CONNECT_ERR_NO_TARGET', 'no AWS region: set AWS_REGION or send an X-Amzn-SourceArn'));
  }
  return ok({ instanceId, initialContactId, region });
}

function instanceFromContext(context: ConnectCallContext): { instanceId: string; region: string } | undefined {
  if (context.instanceId !== undefined && context.region !== undefined) return { instanceId: context.instanceId, region: context.region };
  for (const arn of [context.sourceArn, context.targetArn]) {
    if (arn === undefined) continue;
    const m = CONNECT_INSTANCE_ARN.exec(arn);
    if (m !== null) return { region: m[1] as string, instanceId: m[3] as string };
  }
  return undefined;
}
