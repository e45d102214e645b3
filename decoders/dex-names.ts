/** DEX names as the code walk writes them, and the library calls whose result is their argument in another form. */

/** `com.x.Outer$Inner` -> `Inner`. */
export function simpleClassName(dottedName: string): string {
  const cut = Math.max(dottedName.lastIndexOf('.'), dottedName.lastIndexOf('$'));
  return cut < 0 ? dottedName : dottedName.slice(cut + 1);
}

/** `Lcom/x/Keys;` -> `com.x.Keys`; other descriptors unchanged. */
export function dotted(descriptor: string): string {
  if (descriptor.length < 2 || descriptor.charCodeAt(0) !== 0x4c || descriptor.charCodeAt(descriptor.length - 1) !== 0x3b) return descriptor;
  return descriptor.slice(1, -1).replaceAll('/', '.');
}

/** `(class, name)` pairs whose result is the argument in another form. */
export const TRANSFORMS = new Set([
  'Ljava/lang/String;.getBytes',
  'Ljava/lang/String;.toCharArray',
  'Ljava/lang/String;.trim',
  'Ljava/lang/String;.toString',
  'Ljava/lang/String;.intern',
  'Landroid/util/Base64;.decode',
  'Ljava/util/Base64$Decoder;.decode',
  'Lokio/ByteString;.decodeHex',
  'Lokio/ByteString;.decodeBase64',
  'Lokio/ByteString;.encodeUtf8',
  'Lokio/ByteString$Companion;.decodeHex',
  'Lokio/ByteString$Companion;.decodeBase64',
  'Lokio/ByteString$Companion;.encodeUtf8',
  'Lkotlin/text/StringsKt;.encodeToByteArray',
  'Lorg/apache/commons/codec/binary/Hex;.decodeHex',
  'Lorg/apache/commons/codec/binary/Base64;.decodeBase64',
]);
