/** Largest UDP payload we ever send: fits the IPv6 minimum MTU (1,280) less IPv6 and UDP headers, so nothing fragments. */
export const MAX_PACKET_BYTES = 1200;

/** Two bytes opening every packet and stream frame ("LE": lbkit election), so stray traffic is dropped cheaply. */
export const WIRE_MAGIC = 0x4c45;

/** The wire format version this code writes and the only one it reads. */
export const WIRE_VERSION = 1;

/** Default UDP and TCP port, the same as memberlist and MetalLB so firewall rules carry over. */
export const DEFAULT_PORT = 7946;

/** Longest node name accepted (Kubernetes node names are DNS subdomains of at most 253 characters). */
export const MAX_NAME_BYTES = 253;

/** Largest stream frame accepted (push-pull of a few thousand members). */
export const MAX_STREAM_BYTES = 4 * 1024 * 1024;

/** Replay window: how many recent sequence numbers per sender are remembered beside the highest one. */
export const REPLAY_WINDOW = 32;

/** HKDF salt: fixed and public; it separates our keys from any other use of the same secret. */
export const HKDF_SALT = 'lbkit-election/v1';

/** AES-256-GCM nonce and tag sizes (NIST SP 800-38D recommends a 96-bit nonce). */
export const GCM_NONCE_BYTES = 12;
/** AES-GCM authentication tag size. */
export const GCM_TAG_BYTES = 16;
