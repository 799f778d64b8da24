/* test_broken.c - every file in tests/broken/ must be rejected with the error
 * listed in tests/broken/EXPECTED: "NAME<TAB>LINE<TAB>substring", LINE being
 * the number in the "PATH:LINE:" prefix, or 0 for a message with no line. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/read.h"
#include "test.h"

#define MAX_ENTRIES 512

typedef struct expected_entry {
  char name[1024];
  unsigned long line;
  char substring[1024];
} expected_entry;

/* Load EXPECTED; returns the number of entries or -1. */
static int load_expected(expected_entry *e, int cap) {
  char path[4096];
  snprintf(path, sizeof path, "%s", prism_test_path("broken/EXPECTED"));
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  char line[1024];
  int k = 0, lineno = 0;
  while (k < cap && fgets(line, sizeof line, f)) {
    lineno++;
    line[strcspn(line, "\r\n")] = 0;
    if (!line[0] || line[0] == '#') continue;
    char *t1 = strchr(line, '\t');
    char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
    if (!t2) {
      printf("    EXPECTED:%d: malformed line '%s'\n", lineno, line);
      fclose(f);
      return -1;
    }
    *t1 = *t2 = 0;
    snprintf(e[k].name, sizeof e[k].name, "%s", line);
    e[k].line = strtoul(t1 + 1, NULL, 10);
    snprintf(e[k].substring, sizeof e[k].substring, "%s", t2 + 1);
    k++;
  }
  fclose(f);
  return k;
}

PRISM_TEST(broken_inputs_rejected, "cpu") {
  static expected_entry e[MAX_ENTRIES];
  int n = load_expected(e, MAX_ENTRIES);
  TEST_REQUIRE(n > 0);
  int bad = 0;
  for (int i = 0; i < n; i++) {
    /* prism_test_path returns a static buffer: copy before the next call. */
    char path[8192], prefix[8300];
    const char *dir = prism_test_path("broken");
    size_t dl = strlen(dir), nl = strlen(e[i].name);
    TEST_REQUIRE(dl + nl + 2 <= sizeof path);
    memcpy(path, dir, dl);
    path[dl] = '/';
    memcpy(path + dl + 1, e[i].name, nl + 1);
    prism_graph *sentinel = (prism_graph *)(uintptr_t)0x10;
    prism_graph *g = sentinel;
    prism_diag d;
    int rc = prism_graph_read_file(path, PRISM_FORMAT_AUTO, &g, &d);
    if (e[i].line)
      snprintf(prefix, sizeof prefix, "%s:%lu: ", path, e[i].line);
    else
      snprintf(prefix, sizeof prefix, "%s: ", path);
    const char *why = NULL;
    if (rc != -1)
      why = "read did not fail";
    else if (g != sentinel)
      why = "output pointer was touched";
    else if (strncmp(d.error, prefix, strlen(prefix)))
      why = "wrong prefix";
    else if (!strstr(d.error, e[i].substring))
      why = "message lacks substring";
    else if (strchr(d.error, '\n'))
      why = "message is not one line";
    if (why) {
      printf("    %s: %s\n      got:  %s\n      want: %s...%s\n", e[i].name, why,
             rc == -1 ? d.error : "(success)", prefix, e[i].substring);
      bad++;
    }
    if (rc == 0) prism_graph_free(g);
  }
  TEST_CHECK_EQ(bad, 0);
  printf("    %d broken files checked\n", n);
}

PRISM_TEST(broken_folder_listed, "cpu") {
  static expected_entry e[MAX_ENTRIES];
  int n = load_expected(e, MAX_ENTRIES);
  TEST_REQUIRE(n > 0);
  char dir[4096];
  snprintf(dir, sizeof dir, "%s", prism_test_path("broken"));
  DIR *dp = opendir(dir);
  TEST_REQUIRE(dp);
  int files = 0, missing = 0;
  struct dirent *de;
  while ((de = readdir(dp))) {
    if (de->d_name[0] == '.' || !strcmp(de->d_name, "EXPECTED")) continue;
    files++;
    int found = 0;
    for (int i = 0; i < n && !found; i++) found = !strcmp(e[i].name, de->d_name);
    if (!found) {
      printf("    %s is not listed in EXPECTED\n", de->d_name);
      missing++;
    }
  }
  closedir(dp);
  TEST_CHECK_EQ(missing, 0);
  TEST_CHECK_EQ(files, n); /* and no entry without a file */
  TEST_CHECK(files >= 25);
}
