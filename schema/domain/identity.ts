/**
 * Header the entrance (ForwardAuth / the embedded edge) sets to the runtime owner's username, and the
 * header each OpenClaw gateway is configured to read it from (`gateway.auth.trustedProxy.userHeader`).
 * One constant, because a mismatch means the owner is locked out of their own runtime.
 */
export const IDENTITY_HEADER = 'x-clawloops-user';
