// Aho-Corasick over ASCII-folded bytes for tools/bench-search.ts (issue 20's option "WebAssembly built from source
// in the repo"). Build: clang --target=wasm32 -O3 -msimd128 -nostdlib -Wl,--no-entry -Wl,--export-dynamic
//   -Wl,--import-memory -o ac.wasm ac.c
// Memory layout, set by the caller: fold[256] bytes, delta (int32, state*128 + byte -> next state*128), hits (one
// byte a state: 1 when some keyword ends there), input bytes, and (position, state) pairs out: the caller resolves
// each state's keyword lengths.
#include <stdint.h>

__attribute__((export_name("scan")))
uint32_t scan(const uint8_t *fold, const int32_t *delta, const uint8_t *hits, const uint8_t *bytes, uint32_t n, uint32_t *ends, uint32_t max_ends) {
  int32_t s = 0;
  uint32_t found = 0;
  for (uint32_t i = 0; i < n; i++) {
    s = delta[s + fold[bytes[i]]];
    if (hits[s >> 7]) {
      if (found < max_ends) {
        ends[2 * found] = i;
        ends[2 * found + 1] = (uint32_t)(s >> 7);
      }
      found++;
    }
  }
  return found;
}
