import { decodeAaptTable, decodeAaptXml } from '../../decoders/aapt-pb.js';
import { decodeHermes } from '../../decoders/hermes.js';
import { decodeAssemblyStore, decodeDotnet, findAssemblyStore } from '../../decoders/dotnet.js';
import { decodeIl2cpp } from '../../decoders/il2cpp.js';
import type { Decoder } from '../../decoders/types.js';
import type { ContentKind } from '../../decoders/sniff.js';

/** The decoder for an AAB entry's role. */
export function aabDecoder(role: 'xml' | 'table'): { name: string; decode: Decoder } {
  return role === 'xml' ? { name: 'aapt-xml', decode: decodeAaptXml } : { name: 'aapt-table', decode: decodeAaptTable };
}

/** Decoders for the app-runtime formats sniff recognises (React Native Hermes, Xamarin/.NET, Unity IL2CPP). */
export const runtimeDecoders: Partial<Record<ContentKind, { name: string; decode: Decoder }>> = {
  hermes: { name: 'hermes', decode: decodeHermes },
  pe: { name: 'dotnet', decode: decodeDotnet },
  xalz: { name: 'dotnet', decode: decodeDotnet },
  'assembly-store': { name: 'dotnet', decode: decodeAssemblyStore },
  il2cpp: { name: 'il2cpp', decode: decodeIl2cpp },
};

/** True when an ELF file carries a Xamarin assembly store (`libassemblies.<abi>.blob.so`, .NET 9+). */
export function elfHasAssemblyStore(bytes: Uint8Array): boolean {
  return findAssemblyStore(bytes) >= 0;
}
