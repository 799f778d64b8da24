/* fuzz_jsonl.c - libFuzzer target for the report's JSON Lines reader.
 *
 *   make fuzz-jsonl            (FUZZ_SECONDS, default 60)
 *
 * A line must either parse (at most PRISM_JSON_FIELDS fields kept, strings
 * terminated) or fail with a message; ASan/UBSan catch overreads and the
 * rest. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report/jsonl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static prism_json_obj obj;
  char what[128];
  /* a copy of exactly size bytes, so that reading past the end is caught */
  char *line = malloc(size ? size : 1);
  if (size) memcpy(line, data, size);
  what[0] = 0;
  if (prism_json_parse_line(line, size, &obj, what, sizeof what) == 0) {
    if (obj.n < 0 || obj.n > PRISM_JSON_FIELDS) __builtin_trap();
    for (int i = 0; i < obj.n; i++)
      if (strlen(obj.f[i].str) >= PRISM_JSON_STR_MAX ||
          strlen(obj.f[i].key) >= PRISM_JSON_KEY_MAX || obj.f[i].arr_len > PRISM_JSON_ARR_MAX)
        __builtin_trap();
  } else if (!what[0]) {
    __builtin_trap();
  }
  free(line);
  return 0;
}
