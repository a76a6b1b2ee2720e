/* csv.h — Artillery `payload` files: an RFC 4180 reader, the row → variables
 * mapping and the per-scenario row cursor.
 *
 * Fields may be quoted ("a, b", "say ""hi""", line breaks inside quotes);
 * records end with LF, CRLF or CR; the last one needs no newline; a UTF-8
 * BOM is skipped. Ragged rows are kept as they are.
 *
 * Casting (opts.cast, Artillery's `cast`, default true there): an unquoted
 * field that is a decimal number ("42", "-1.5", ".5", "1e3") becomes a
 * number (an integer when it has no "." or exponent and fits in 64 bits),
 * "true" / "false" become booleans, anything else stays a string. Unlike
 * csv-parse, which Artillery uses, quoted fields are never cast (so "007"
 * in quotes stays a string) and booleans are cast (csv-parse leaves them).
 * Pure except csv_load, which reads its file. No globals. */
#ifndef LOADTOP_CSV_H
#define LOADTOP_CSV_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "perr.h"

struct csv_opts {
    char delimiter;       /* 0 = ',' */
    int skip_header;      /* drop the first record (Artillery's skipHeader) */
    int skip_empty_lines; /* drop records that are an empty line (Artillery default: on) */
    int cast;             /* numbers and booleans, see above (Artillery default: on) */
};

struct csv {
    json_t *rows; /* array of arrays of values; owned, release with csv_free */
};

/* Limits: a payload file of at most CSV_MAX_FILE bytes, and of at most
 * CSV_MAX_VALUES fields (each costs a JSON value: a 100 MiB file of
 * one-character fields would take gigabytes). */
#define CSV_MAX_FILE (100 << 20)
#define CSV_MAX_VALUES 5000000L

/* Parse `len` bytes of `text` (opts NULL = all zero). Returns 0 with
 * out->rows set (err emptied), or -1 with out->rows = NULL and *err (may be
 * NULL) set: the line of the fault, and a message that says it, such as
 * "line 3: unterminated quoted field" (the line where the quote opened),
 * "line 2: quote inside an unquoted field", "line 2: unexpected character
 * after a closing quote", "line 4: invalid UTF-8", "line 9: more than
 * 5000000 values (the limit for a payload)". */
int csv_parse(const char *text, size_t len, const struct csv_opts *o, struct csv *out,
              struct parse_error *err);

/* Read and parse the file at `path`. Errors as csv_parse's, msg prefixed
 * with the path ("users.csv: line 3: ..."); an unreadable file gives
 * "users.csv: No such file or directory" (strerror). The file must be a
 * regular one ("/dev/zero: not a regular file", "dir: Is a directory") of
 * at most CSV_MAX_FILE bytes: that is checked on the open file before a
 * byte is read, and a FIFO is opened without waiting for a writer. The
 * path in messages is clipped (str_clip); the contents never appear. */
int csv_load(const char *path, const struct csv_opts *o, struct csv *out, struct parse_error *err);

void csv_free(struct csv *c);

/* {fields[i]: row[i]} for the columns the row has (extra columns are
 * ignored, missing ones leave their field undefined, as in Artillery).
 * Returns a new object; values are shared with the row. */
json_t *csv_row_object(const json_t *row, const char *const *fields, int nfields);

/* Which row a new VU gets: in order, wrapping after the last (`sequence`,
 * Artillery's order: sequence), or uniformly at random from *rng. Returns
 * 0 when nrows == 0. The cursor starts zeroed, one per payload. */
struct payload_cursor {
    _Atomic size_t next; /* shared by every worker thread: one sequence for the run */
};
size_t payload_pick(struct payload_cursor *cur, size_t nrows, int sequence, uint64_t *rng);

#endif
