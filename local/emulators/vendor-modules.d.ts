// Type declarations for the emulator packages, which ship none. Only what local/emulators uses.

declare module 'kinesalite' {
  import type { Server } from 'node:http';

  interface KinesaliteOptions {
    /** Time a new stream stays CREATING. @default 500 */
    createStreamMs?: number;
    deleteStreamMs?: number;
    updateStreamMs?: number;
    /** Shards per account. @default 10 */
    shardLimit?: number;
  }

  function kinesalite(options?: KinesaliteOptions): Server;
  export = kinesalite;
}

declare module 'dynalite' {
  import type { Server } from 'node:http';

  interface DynaliteOptions {
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
    maxItemSizeKb?: number;
  }

  function dynalite(options?: DynaliteOptions): Server;
  export = dynalite;
}

declare module 's3rver' {
  import type { AddressInfo } from 'node:net';

  interface S3rverOptions {
    /** 0 picks a free port. */
    port?: number;
    address?: string;
    silent?: boolean;
    /** Where the objects are stored, on disk. */
    directory?: string;
    /** Empty the directory when the server closes. */
    resetOnClose?: boolean;
  }

  class S3rver {
    constructor(options?: S3rverOptions);
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
  }
  export = S3rver;
}

declare module 's3rver/lib/models/account' {
  /** The account s3rver signs every request against; it knows the key pair S3RVER/S3RVER only. */
  export const DUMMY_ACCOUNT: { createKeyPair(accessKeyId: string, secretAccessKey: string): void };
}
