/* SPDX-License-Identifier: MIT */
/*
 * standalone.c - main() for a fuzz target built without libFuzzer: runs
 * LLVMFuzzerInitialize, then every file named on the command line (a
 * directory: every regular file in it, in name order) through
 * LLVMFuzzerTestOneInput once.  make check uses it to replay the seed
 * corpora and the crash reproducers of tests/fuzz/regress; a crash, a
 * sanitizer report or a leak fails the test as it would under libFuzzer.
 * A directory that does not exist is an error (no silent skip).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int
run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    long len;
    int rc = 1;

    if (f == NULL) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return 1;
    }
    if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
        fseek(f, 0, SEEK_SET) != 0) {
        fprintf(stderr, "%s: cannot size\n", path);
        goto out;
    }
    /* A copy of exactly the file's size, so that ASan sees overreads. */
    buf = malloc(len > 0 ? (size_t)len : 1);
    if (buf == NULL || (len > 0 && fread(buf, 1, (size_t)len, f) !=
                                       (size_t)len)) {
        fprintf(stderr, "%s: cannot read\n", path);
        goto out;
    }
    LLVMFuzzerTestOneInput(buf, (size_t)len);
    rc = 0;
out:
    free(buf);
    fclose(f);
    return rc;
}

static int
by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

int
main(int argc, char **argv)
{
    int files = 0, rc = 0;

    LLVMFuzzerInitialize(&argc, &argv);
    for (int i = 1; i < argc; i++) {
        struct stat st;

        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
            return 1;
        }
        if (S_ISDIR(st.st_mode)) {
            struct dirent **names;
            int n = scandir(argv[i], &names, NULL, by_name);

            if (n < 0) {
                fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
                return 1;
            }
            for (int j = 0; j < n; j++) {
                char path[4096];

                snprintf(path, sizeof(path), "%s/%s", argv[i],
                         names[j]->d_name);
                if (names[j]->d_name[0] != '.' && stat(path, &st) == 0 &&
                    S_ISREG(st.st_mode)) {
                    rc |= run_file(path);
                    files++;
                }
                free(names[j]);
            }
            free(names);
        } else {
            rc |= run_file(argv[i]);
            files++;
        }
    }
    printf("%s: %d inputs replayed\n", argv[0], files);
    return rc;
}
