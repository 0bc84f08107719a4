/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * replay.c - run inputs through the fuzz harness without libFuzzer: for the
 * regression run in `make test`, for coverage, and to look at a crash.
 *
 *   fuzz-replay [-v] FILE|DIR...
 *
 * A DIR means every file in it (sorted, dot files and README skipped). A
 * FILE ending in .hex is hex text ('#' starts a comment), anything else raw
 * bytes. -v traces every entry and the console to stderr. A failure aborts
 * with the input's name on stderr.
 */
#include <dirent.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "refusal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REPLAY_MAX_LEN (1 << 20)

static const char *current_input;
static unsigned int replayed;

static void on_abort(int sig)
{
    (void)sig;
    if ( current_input )
    {
        static const char msg[] = "fuzz-replay: FAILED on ";

        (void)!write(2, msg, sizeof(msg) - 1);
        (void)!write(2, current_input, strlen(current_input));
        (void)!write(2, "\n", 1);
    }
}

static int hexval(int c)
{
    if ( c >= '0' && c <= '9' )
        return c - '0';
    if ( c >= 'a' && c <= 'f' )
        return c - 'a' + 10;
    if ( c >= 'A' && c <= 'F' )
        return c - 'A' + 10;
    return -1;
}

/* Hex pairs, whitespace between bytes allowed, '#' to the end of a line ignored. */
static size_t parse_hex(const char *name, const uint8_t *text, size_t len, uint8_t *out)
{
    size_t n = 0;
    int hi = -1;

    for ( size_t i = 0; i < len; i++ )
    {
        int c = text[i], v;

        if ( c == '#' )
        {
            while ( i < len && text[i] != '\n' )
                i++;
            continue;
        }
        if ( c == ' ' || c == '\t' || c == '\n' || c == '\r' )
        {
            if ( hi >= 0 )
                goto bad;
            continue;
        }
        if ( (v = hexval(c)) < 0 )
            goto bad;
        if ( hi < 0 )
            hi = v;
        else
        {
            out[n++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
    }
    if ( hi < 0 )
        return n;
 bad:
    fprintf(stderr, "fuzz-replay: %s: not hex text at byte %zu\n", name, n);
    exit(2);
}

static void replay_file(const char *path)
{
    static uint8_t buf[REPLAY_MAX_LEN], bin[REPLAY_MAX_LEN];
    size_t len, n = strlen(path);
    FILE *f = fopen(path, "rb");

    if ( !f )
    {
        perror(path);
        exit(2);
    }
    len = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    current_input = path;
    if ( n > 4 && strcmp(path + n - 4, ".hex") == 0 )
        LLVMFuzzerTestOneInput(bin, parse_hex(path, buf, len, bin));
    else
        LLVMFuzzerTestOneInput(buf, len);
    current_input = NULL;
    replayed++;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static void replay_path(const char *path)
{
    struct dirent **list;
    struct stat st;
    int n;

    if ( stat(path, &st) )
    {
        perror(path);
        exit(2);
    }
    if ( !S_ISDIR(st.st_mode) )
    {
        replay_file(path);
        return;
    }
    n = scandir(path, &list, NULL, by_name);
    for ( int i = 0; i < n; i++ )
    {
        char p[4096];

        if ( list[i]->d_name[0] != '.' && strcmp(list[i]->d_name, "README") != 0 )
        {
            snprintf(p, sizeof(p), "%s/%s", path, list[i]->d_name);
            replay_path(p);
        }
        free(list[i]);
    }
    free(list);
}

int main(int argc, char **argv)
{
    unsigned long calls, refused;
    int i = 1;

    signal(SIGABRT, on_abort);
    if ( i < argc && strcmp(argv[i], "-v") == 0 )
    {
        setenv("FUZZ_TRACE", "1", 1);
        i++;
    }
    if ( i == argc )
    {
        fprintf(stderr, "usage: fuzz-replay [-v] FILE|DIR...\n");
        return 2;
    }
    for ( ; i < argc; i++ )
        replay_path(argv[i]);
    refusal_counts(&calls, &refused);
    printf("fuzz-replay: %u inputs, no failure (%lu handlers run, %lu failed calls checked "
           "to have changed nothing)\n", replayed, calls, refused);
    return 0;
}
