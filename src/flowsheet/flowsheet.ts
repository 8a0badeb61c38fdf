/**
 * A validated flowsheet: units with typed ports, each port joined to exactly one stream. Built from a
 * `FlowsheetSpec`; every structural error names the unit and port concerned (unknown unit, unknown
 * port, an outlet used as an inlet, a port left disconnected or connected twice).
 *
 * A stream's value is a row vector [molar flow of each component (kmol/h), temperature (K),
 * pressure (bar)] — see `streamWidth`.
 *
 * @example
 * const fs = Flowsheet.from(spec);
 * fs.unit('R1').inletStreams; // indices into fs.streams
 */
import { CrucibleError } from '../errors.js';
import { type FlowsheetSpec, type FlowsheetSpecInput, type UnitKind, type UnitSpec, parseFlowsheetSpec, portsOf } from './spec.js';

export interface PortRef {
  readonly unit: string;
  readonly port: string;
}

export interface FlowsheetStream {
  readonly name: string;
  readonly index: number;
  /** The outlet port feeding this stream; null for a feed. */
  readonly from: PortRef | null;
  /** The inlet port this stream enters; null for a product. */
  readonly to: PortRef | null;
}

export interface FlowsheetUnit {
  readonly name: string;
  readonly kind: UnitKind;
  readonly index: number;
  readonly spec: UnitSpec;
  readonly inlets: readonly string[];
  readonly outlets: readonly string[];
  /** Stream index entering each inlet port, in port order. */
  readonly inletStreams: readonly number[];
  /** Stream index leaving each outlet port, in port order. */
  readonly outletStreams: readonly number[];
}

/** Values per stream: one molar flow per component, then temperature (K) and pressure (bar). */
export function streamWidth(componentCount: number): number {
  return componentCount + 2;
}

export class Flowsheet {
  readonly components: readonly string[];
  readonly units: readonly FlowsheetUnit[];
  readonly streams: readonly FlowsheetStream[];
  /** Indices of streams with no source unit. */
  readonly feeds: readonly number[];
  /** Indices of streams with no destination unit. */
  readonly products: readonly number[];
  private readonly unitByName: Map<string, FlowsheetUnit>;
  private readonly streamByName: Map<string, FlowsheetStream>;

  private constructor(spec: FlowsheetSpec) {
    this.components = spec.components;
    const unitByName = new Map<string, UnitSpec & { index: number }>();
    spec.units.forEach((u, index) => {
      if (unitByName.has(u.name)) fail(`unit '${u.name}' is defined twice`, { unit: u.name });
      unitByName.set(u.name, { ...u, index });
    });
    const inletOf = new Map<string, number>();
    const outletOf = new Map<string, number>();
    const streams: FlowsheetStream[] = [];
    const names = new Set<string>();
    spec.streams.forEach((s, index) => {
      if (names.has(s.name)) fail(`stream '${s.name}' is defined twice`, { stream: s.name });
      names.add(s.name);
      const from = s.from === undefined ? null : resolve(s.from, 'outlet', s.name);
      const to = s.to === undefined ? null : resolve(s.to, 'inlet', s.name);
      if (from !== null) claim(outletOf, from, index, s.name);
      if (to !== null) claim(inletOf, to, index, s.name);
      streams.push({ name: s.name, index, from, to });
    });

    function resolve(ref: string, direction: 'inlet' | 'outlet', stream: string): PortRef {
      const [unit, port] = ref.split('.');
      const u = unitByName.get(unit);
      if (u === undefined) {
        fail(`stream '${stream}': unknown unit '${unit}' in '${ref}' (units: ${[...unitByName.keys()].join(', ')})`, { stream, unit });
      }
      const ports = portsOf(u);
      const own = direction === 'inlet' ? ports.inlets : ports.outlets;
      const other = direction === 'inlet' ? ports.outlets : ports.inlets;
      if (!own.includes(port)) {
        if (other.includes(port)) {
          const side = direction === 'inlet' ? "'to'" : "'from'";
          fail(`stream '${stream}': port type mismatch: ${side} must be an ${direction} port, but ${unit}.${port} is an ${direction === 'inlet' ? 'outlet' : 'inlet'} of ${u.kind} '${unit}'`, { stream, unit, port });
        }
        fail(`stream '${stream}': ${u.kind} '${unit}' has no port '${port}' (inlets: ${ports.inlets.join(', ')}; outlets: ${ports.outlets.join(', ')})`, { stream, unit, port });
      }
      return { unit, port };
    }

    function claim(map: Map<string, number>, ref: PortRef, index: number, stream: string): void {
      const key = `${ref.unit}.${ref.port}`;
      const prior = map.get(key);
      if (prior !== undefined) {
        fail(`port ${key} is connected twice: to stream '${streams[prior]?.name ?? prior}' and to stream '${stream}'`, { unit: ref.unit, port: ref.port });
      }
      map.set(key, index);
    }

    const units: FlowsheetUnit[] = spec.units.map((u, index) => {
      const { inlets, outlets } = portsOf(u);
      const find = (map: Map<string, number>, port: string, what: string): number => {
        const s = map.get(`${u.name}.${port}`);
        if (s === undefined) fail(`${u.kind} '${u.name}': ${what} port '${port}' is not connected to any stream`, { unit: u.name, port });
        return s;
      };
      return {
        name: u.name,
        kind: u.kind,
        index,
        spec: u,
        inlets,
        outlets,
        inletStreams: inlets.map((p) => find(inletOf, p, 'inlet')),
        outletStreams: outlets.map((p) => find(outletOf, p, 'outlet')),
      };
    });
    this.units = units;
    this.streams = streams;
    this.feeds = streams.filter((s) => s.from === null).map((s) => s.index);
    this.products = streams.filter((s) => s.to === null).map((s) => s.index);
    this.unitByName = new Map(units.map((u) => [u.name, u]));
    this.streamByName = new Map(streams.map((s) => [s.name, s]));
  }

  /** Validates `spec` (object or YAML text) and builds the flowsheet. */
  static from(spec: FlowsheetSpecInput | FlowsheetSpec | string, source?: string): Flowsheet {
    return new Flowsheet(parseFlowsheetSpec(spec, source));
  }

  get width(): number {
    return streamWidth(this.components.length);
  }

  unit(name: string): FlowsheetUnit {
    const u = this.unitByName.get(name);
    if (u === undefined) throw new RangeError(`Flowsheet: no unit '${name}' (units: ${[...this.unitByName.keys()].join(', ')})`);
    return u;
  }

  stream(name: string): FlowsheetStream {
    const s = this.streamByName.get(name);
    if (s === undefined) throw new RangeError(`Flowsheet: no stream '${name}' (streams: ${[...this.streamByName.keys()].join(', ')})`);
    return s;
  }

  /** Unit-to-unit streams as directed edges (feeds and products excluded). */
  edges(): { stream: number; from: number; to: number }[] {
    return this.streams
      .filter((s) => s.from !== null && s.to !== null)
      .map((s) => ({ stream: s.index, from: this.unit(s.from!.unit).index, to: this.unit(s.to!.unit).index }));
  }
}

function fail(message: string, details: Record<string, unknown>): never {
  throw new CrucibleError('CONFIG_INVALID', `flowsheet: ${message}`, details);
}
