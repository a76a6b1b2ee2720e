/* test_csv.c — csv.c: RFC 4180 quoting, CRLF, header and empty-line
 * skipping, custom delimiters, casting, exact errors with line numbers,
 * csv_load, row objects and payload_pick. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csv.h"
#include "test.h"

/* Parse `text` and give the rows as compact JSON (or "ERR <message>") in a
 * static buffer. */
static const char *parse_s(const char *text, const struct csv_opts *o)
{
    static char out[1024];
    struct parse_error pe;
    struct csv c;
    if (csv_parse(text, strlen(text), o, &c, &pe) < 0) {
        snprintf(out, sizeof out, "ERR %s", pe.msg);
        return out;
    }
    char *s = json_dumps(c.rows, JSON_COMPACT);
    snprintf(out, sizeof out, "%s", s);
    free(s);
    csv_free(&c);
    return out;
}

TEST(csv_quotes_and_line_ends)
{
    ASSERT_STR(parse_s("a,b,c\n1,2,3\n", NULL), "[[\"a\",\"b\",\"c\"],[\"1\",\"2\",\"3\"]]");
    /* no final newline; CRLF; lone CR */
    ASSERT_STR(parse_s("a,b\r\nc,d", NULL), "[[\"a\",\"b\"],[\"c\",\"d\"]]");
    ASSERT_STR(parse_s("a\rb\r", NULL), "[[\"a\"],[\"b\"]]");
    /* quoted delimiters, escaped quotes, line breaks inside quotes */
    ASSERT_STR(parse_s("\"x, y\",\"say \"\"hi\"\"\",\"l1\nl2\"\n", NULL),
               "[[\"x, y\",\"say \\\"hi\\\"\",\"l1\\nl2\"]]");
    ASSERT_STR(parse_s("\"crlf\r\ninside\",z\r\n", NULL), "[[\"crlf\\r\\ninside\",\"z\"]]");
    ASSERT_STR(parse_s("\"\",\"\"\"\"", NULL), "[[\"\",\"\\\"\"]]");
    /* empty fields, trailing delimiter, ragged rows kept */
    ASSERT_STR(parse_s(",a,\n1\n", NULL), "[[\"\",\"a\",\"\"],[\"1\"]]");
    /* spaces are data */
    ASSERT_STR(parse_s(" a , b \n", NULL), "[[\" a \",\" b \"]]");
    /* a UTF-8 BOM is not part of the first field; UTF-8 passes */
    ASSERT_STR(parse_s("\xEF\xBB\xBFname\ncaf\xC3\xA9\n", NULL), "[[\"name\"],[\"caf\xC3\xA9\"]]");
    ASSERT_STR(parse_s("", NULL), "[]");
}

TEST(csv_header_and_empty_lines)
{
    struct csv_opts o = {0};
    ASSERT_STR(parse_s("a\n\nb\n\n", &o), "[[\"a\"],[\"\"],[\"b\"],[\"\"]]");
    o.skip_empty_lines = 1;
    ASSERT_STR(parse_s("a\n\nb\r\n\r\n\n", &o), "[[\"a\"],[\"b\"]]");
    /* a quoted empty field or a lone delimiter is not an empty line */
    ASSERT_STR(parse_s("\"\"\n,\n", &o), "[[\"\"],[\"\",\"\"]]");
    o.skip_header = 1;
    ASSERT_STR(parse_s("user,pass\nann,pw1\n\nbob,pw2\n", &o),
               "[[\"ann\",\"pw1\"],[\"bob\",\"pw2\"]]");
    ASSERT_STR(parse_s("user,pass\n", &o), "[]");
    /* the header may itself be quoted over two lines */
    ASSERT_STR(parse_s("\"us\ner\"\nann\n", &o), "[[\"ann\"]]");
}

TEST(csv_delimiters)
{
    struct csv_opts o = {';', 0, 0, 0};
    ASSERT_STR(parse_s("a;b,c;\"d;e\"\n", &o), "[[\"a\",\"b,c\",\"d;e\"]]");
    o.delimiter = '\t';
    ASSERT_STR(parse_s("a\tb c\t\"t\tab\"\n1\t2\t3", &o),
               "[[\"a\",\"b c\",\"t\\tab\"],[\"1\",\"2\",\"3\"]]");
}

TEST(csv_cast)
{
    struct csv_opts o = {0, 0, 0, 1};
    ASSERT_STR(parse_s("42,-1.5,+7,.5,5.,1e3,-2E-2,007,true,false,True,abc,1.2.3,1e,-,0x10\n", &o),
               "[[42,-1.5,7,0.5,5.0,1000.0,-0.02,7,true,false,\"True\",\"abc\",\"1.2.3\",\"1e\","
               "\"-\",\"0x10\"]]");
    /* quoted fields are not cast; empty stays a string; too big for int64 → real */
    ASSERT_STR(parse_s("\"42\",\"true\",,\" 1\",99999999999999999999\n", &o),
               "[[\"42\",\"true\",\"\",\" 1\",1e20]]");
    o.cast = 0;
    ASSERT_STR(parse_s("42,true\n", &o), "[[\"42\",\"true\"]]");
}

TEST(csv_errors)
{
    ASSERT_STR(parse_s("a,b\nc,\"d\ne\nf", NULL), "ERR line 2: unterminated quoted field");
    ASSERT_STR(parse_s("\"", NULL), "ERR line 1: unterminated quoted field");
    ASSERT_STR(parse_s("a\n\"b\nc\"\nd\"e\n", NULL), "ERR line 4: quote inside an unquoted field");
    ASSERT_STR(parse_s("a\r\nb\r\n\"c\"d\r\n", NULL),
               "ERR line 3: unexpected character after a closing quote");
    ASSERT_STR(parse_s("ok\nbad\xff\n", NULL), "ERR line 2: invalid UTF-8");
    struct csv c = {json_array()};
    json_decref(c.rows);
    ASSERT_EQ(csv_parse("\"", 1, NULL, &c, NULL), -1);
    ASSERT(c.rows == NULL);
}

TEST(csv_load_file)
{
    char path[] = "/tmp/loadtop_csv_XXXXXX";
    struct parse_error pe;
    int fd = mkstemp(path);
    ASSERT(fd >= 0);
    const char *text = "id,name\n1,\"Ann, A.\"\n2,Bob\n";
    ASSERT_EQ(write(fd, text, strlen(text)), (long long)strlen(text));
    close(fd);
    struct csv_opts o = {0, 1, 1, 1};
    struct csv c;
    ASSERT_EQ(csv_load(path, &o, &c, &pe), 0);
    char *s = json_dumps(c.rows, JSON_COMPACT);
    ASSERT_STR(s, "[[1,\"Ann, A.\"],[2,\"Bob\"]]");
    free(s);
    csv_free(&c);
    ASSERT(c.rows == NULL);
    FILE *f = fopen(path, "a");
    fputs("3,\"open\n", f);
    fclose(f);
    ASSERT_EQ(csv_load(path, &o, &c, &pe), -1);
    char want[256];
    snprintf(want, sizeof want, "%s: line 4: unterminated quoted field", path);
    ASSERT_STR(pe.msg, want);
    ASSERT_EQ(pe.line, 4); /* the line of the file, for callers that point into it */
    unlink(path);
    ASSERT_EQ(csv_load(path, &o, &c, &pe), -1);
    snprintf(want, sizeof want, "%s: No such file or directory", path);
    ASSERT_STR(pe.msg, want);
    ASSERT_EQ(pe.line, 0);
    ASSERT_EQ(csv_load("/tmp", &o, &c, &pe), -1);
    ASSERT_STR(pe.msg, "/tmp: Is a directory");
}

TEST(csv_row_object)
{
    json_t *row = json_loads("[1, \"ann\", true]", 0, NULL);
    const char *const fields[] = {"id", "name", "admin", "extra"};
    json_t *o = csv_row_object(row, fields, 4);
    char *s = json_dumps(o, JSON_COMPACT);
    ASSERT_STR(s, "{\"id\":1,\"name\":\"ann\",\"admin\":true}");
    free(s);
    json_decref(o);
    o = csv_row_object(row, fields, 1); /* columns beyond the fields are ignored */
    s = json_dumps(o, JSON_COMPACT);
    ASSERT_STR(s, "{\"id\":1}");
    free(s);
    json_decref(o);
    json_decref(row);
}

TEST(csv_payload_pick)
{
    struct payload_cursor cur = {0};
    size_t got[7];
    for (int i = 0; i < 7; i++)
        got[i] = payload_pick(&cur, 3, 1, NULL);
    ASSERT_EQ(got[0], 0);
    ASSERT_EQ(got[1], 1);
    ASSERT_EQ(got[2], 2);
    ASSERT_EQ(got[3], 0);
    ASSERT_EQ(got[4], 1);
    ASSERT_EQ(got[6], 0);
    ASSERT_EQ(payload_pick(&cur, 0, 1, NULL), 0);
    uint64_t rng = 77, rng2 = 77;
    int seen[4] = {0};
    for (int i = 0; i < 400; i++) {
        size_t r = payload_pick(&cur, 4, 0, &rng);
        ASSERT(r < 4);
        seen[r]++;
    }
    for (int i = 0; i < 4; i++)
        ASSERT(seen[i] > 50);
    /* random picks are reproducible from the seed */
    rng = 5;
    rng2 = 5;
    for (int i = 0; i < 20; i++)
        ASSERT_EQ(payload_pick(&cur, 1000, 0, &rng), payload_pick(&cur, 1000, 0, &rng2));
    ASSERT_EQ(payload_pick(&cur, 1, 0, &rng), 0);
}

TEST(csv_load_refuses_what_is_not_a_small_file)
{
    char want[300];
    struct parse_error pe;
    struct csv c;
    /* refused on fstat, before a byte is read: /dev/zero never ends, a FIFO
     * without a writer would block the open */
    ASSERT_EQ(csv_load("/dev/zero", NULL, &c, &pe), -1);
    ASSERT_STR(pe.msg, "/dev/zero: not a regular file");
    char dir[] = "/tmp/loadtop_csvdir_XXXXXX";
    ASSERT(mkdtemp(dir) != NULL);
    char fifo[64], big[64];
    snprintf(fifo, sizeof fifo, "%s/f", dir);
    snprintf(big, sizeof big, "%s/big.csv", dir);
    ASSERT_EQ(mkfifo(fifo, 0600), 0);
    ASSERT_EQ(csv_load(fifo, NULL, &c, &pe), -1);
    snprintf(want, sizeof want, "%s: not a regular file", fifo);
    ASSERT_STR(pe.msg, want);
    /* a sparse file one byte past the limit */
    int fd = open(big, O_WRONLY | O_CREAT, 0600);
    ASSERT(fd >= 0);
    ASSERT_EQ(ftruncate(fd, CSV_MAX_FILE + 1), 0);
    close(fd);
    ASSERT_EQ(csv_load(big, NULL, &c, &pe), -1);
    snprintf(want, sizeof want, "%s: larger than 100 MiB (the limit for a payload)", big);
    ASSERT_STR(pe.msg, want);
    unlink(fifo);
    unlink(big);
    rmdir(dir);
    /* a path with a line break in it is escaped in the message */
    ASSERT_EQ(csv_load("/nonexistent/a\nb.csv", NULL, &c, &pe), -1);
    ASSERT_STR(pe.msg, "/nonexistent/a\\nb.csv: No such file or directory");
}

TEST(csv_value_count_is_bounded)
{
    /* empty lines are values too (dropped after): 5 000 001 of them, little memory */
    size_t n = CSV_MAX_VALUES + 1;
    char *text = malloc(n);
    struct parse_error pe;
    memset(text, '\n', n);
    struct csv_opts o = {',', 0, 1, 1};
    struct csv c;
    ASSERT_EQ(csv_parse(text, n, &o, &c, &pe), -1);
    ASSERT_STR(pe.msg, "line 5000001: more than 5000000 values (the limit for a payload)");
    ASSERT_EQ(pe.line, 5000001);
    ASSERT_EQ(pe.col, 0);
    ASSERT_EQ(csv_parse(text, n - 1, &o, &c, &pe), 0);
    ASSERT_STR(pe.msg, ""); /* emptied on success */
    ASSERT_EQ(json_array_size(c.rows), 0);
    csv_free(&c);
    free(text);
}
