/**
 * The types of the lite surface (oclif-lite.ts), written in oclif's own types so that a
 * command reads the same under both: a builder returns oclif's OptionFlag<T> or
 * BooleanFlag<T> with oclif's T, and `Interfaces` is a part of oclif's. What a command may
 * pass a builder is narrowed to the keys the lite parser reads (parse-lite.ts): any other
 * key (`char`, `parse`, `env`, `relationships`, …) is a type error under
 * `npm run typecheck:lite` (tsconfig.lite.json maps '@oclif/core' to oclif-lite.ts).
 * Type-only: importing '@oclif/core/interfaces' loads nothing at run time.
 */
import type * as Oclif from '@oclif/core/interfaces'

/** The keys every lite flag builder takes. */
interface LiteFlagCommon {
  description?: string
  summary?: string
  hidden?: boolean
  helpGroup?: string
  helpValue?: string
  exclusive?: string[]
  dependsOn?: string[]
}

/** What Flags.string takes on the lite path. */
export interface LiteStringOptions extends LiteFlagCommon {
  required?: boolean
  multiple?: boolean
  options?: readonly string[]
  default?: string
}

/** What Flags.integer takes on the lite path. */
export interface LiteIntegerOptions extends LiteFlagCommon {
  required?: boolean
  multiple?: boolean
  min?: number
  max?: number
  default?: number
}

/** What Flags.boolean takes on the lite path. */
export interface LiteBooleanOptions extends LiteFlagCommon {
  allowNo?: boolean
  default?: boolean
}

/** What Args.string takes on the lite path. */
export interface LiteArgOptions {
  description?: string
  required?: boolean
  hidden?: boolean
  ignoreStdin?: boolean
}

/** `O` with every key outside `K` typed never: a key the lite parser does not read fails to type-check. */
export type Only<O, K extends PropertyKey> = O & {[P in Exclude<keyof O, K>]: never}

/**
 * The parsed value of a flag of type `T` built with options `O`, as oclif's builder types it
 * (as oclif does, a `default` key present, even one whose value may be undefined, makes T).
 */
export type FlagValue<T, O> = O extends {multiple: true}
  ? O extends {required: true}
    ? T[]
    : T[] | undefined
  : O extends {required: true}
    ? T
    : O extends {default: unknown}
      ? T
      : T | undefined

/** oclif's ParserOutput without the fields the lite parser does not fill (raw, metadata, nonExistentFlags). */
export type ParserOutput<
  F extends FlagOutput = FlagOutput,
  B extends FlagOutput = FlagOutput,
  A extends ArgOutput = ArgOutput,
> = Pick<Oclif.ParserOutput<F, B, A>, 'args' | 'argv' | 'flags'>

/** oclif's parse Input, limited to what the lite parser reads. */
export type Input<F extends FlagOutput, B extends FlagOutput, A extends ArgOutput> = Pick<
  Oclif.Input<F, B, A>,
  'args' | 'enableJsonFlag' | 'flags' | 'strict'
>

/** Parsed flags or arguments by name (oclif's FlagOutput and ArgOutput, without their `any`). */
export type FlagOutput = Record<string, unknown>
export type ArgOutput = Record<string, unknown>

export type {
  Arg,
  ArgInput,
  BooleanFlag,
  Flag,
  FlagInput,
  InferredArgs,
  InferredFlags,
  OptionFlag,
} from '@oclif/core/interfaces'
