/**
 * The messages of one SecAgg(+) round, stage by stage (Bonawitz et al., CCS 2017, Fig. 4; Bell et al.,
 * CCS 2020, Alg. 2). Plants and coordinator are pure state machines that consume and produce these;
 * `wire.ts` turns them into bytes for the network transport, and `run.ts` passes them in memory.
 *
 *   stage 0  advertise keys   plant → coordinator: AdvertisedKeys;  coordinator → all: Roster
 *   stage 1  share keys       plant → coordinator: SharedKeys;      coordinator → each: ShareDelivery
 *   stage 2  masked input     plant → coordinator: MaskedInput;     coordinator → all: UnmaskRequest
 *   stage 3  unmasking        plant → coordinator: UnmaskShares;    coordinator: the sum
 */
import type { ShamirShare } from './shamir.js';

/** The stages in order; a plant or coordinator refuses a message for any stage but its current one. */
export const secAggStages = ['advertise-keys', 'share-keys', 'masked-input', 'unmasking'] as const;
export type SecAggStage = (typeof secAggStages)[number];

/** Round settings fixed by the coordinator once the roster is known; every plant checks them. */
export interface SecAggSettings {
  /** Round identifier, bound into every derived key and ciphertext. */
  readonly round: string;
  /** Shares needed to reconstruct a plant's secret, per neighbourhood (neighbours + the plant). */
  readonly threshold: number;
  /** Neighbours per plant; roster size − 1 means full SecAgg. */
  readonly degree: number;
  /** Fewest plants whose inputs may be summed. */
  readonly minimumPlants: number;
  /** Public seed of the neighbour graph. */
  readonly graphSeed: Uint8Array;
}

/** Stage 0, plant → coordinator: the two public keys of this round. */
export interface AdvertisedKeys {
  readonly plant: string;
  /** Public key of the channel that carries shares (c_pk). */
  readonly encryptionKey: Uint8Array;
  /** Public key whose agreements seed the pairwise masks (s_pk). */
  readonly maskingKey: Uint8Array;
}

/** Stage 0, coordinator → all: who is in (U1), in roster order (Shamir x = position + 1). */
export interface Roster {
  readonly settings: SecAggSettings;
  readonly plants: readonly AdvertisedKeys[];
}

/** Stage 1, plant → coordinator: one sealed share pair per neighbour, and a commitment to the self-mask seed. */
export interface SharedKeys {
  readonly plant: string;
  /** SHA-256 commitment to the self-mask seed, so a reconstructed seed can be verified. */
  readonly seedCommitment: Uint8Array;
  readonly shares: readonly { readonly to: string; readonly ciphertext: Uint8Array }[];
}

/** Stage 1, coordinator → one plant: the sealed shares addressed to it by plants in U2. */
export interface ShareDelivery {
  readonly shares: readonly { readonly from: string; readonly ciphertext: Uint8Array }[];
}

/** Stage 2, plant → coordinator: the quantized update plus all its masks, mod 2^32. */
export interface MaskedInput {
  readonly plant: string;
  readonly masked: Uint32Array;
}

/** Stage 2, coordinator → all: who sent a masked input (U3) and who dropped after sharing (U2 \ U3). */
export interface UnmaskRequest {
  readonly survivors: readonly string[];
  readonly dropped: readonly string[];
}

/** Stage 3, plant → coordinator: for each plant it holds shares of, EITHER the seed share OR the key share. */
export interface UnmaskShares {
  readonly plant: string;
  /** Shares of self-mask seeds of survivors. */
  readonly seedShares: readonly { readonly of: string; readonly share: ShamirShare }[];
  /** Shares of masking secret keys of dropped plants. */
  readonly keyShares: readonly { readonly of: string; readonly share: ShamirShare }[];
}
