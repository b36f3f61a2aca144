export declare const ISOLATION_HEADERS: Record<'Cross-Origin-Opener-Policy' | 'Cross-Origin-Embedder-Policy', string>;
