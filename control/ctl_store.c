/* SPDX-License-Identifier: BSD-3-Clause */
/* Durable state in SQLite (RFC 8613 App. B.1.1 write-ahead of Sender Sequence Numbers). */
#include "control/ctl_store.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/cry_aead.h"

enum stmt { ST_PUT, ST_DEL, ST_GET, ST_RESERVE, ST_ALL, ST_TOMB_PUT, ST_TOMB_ALL, ST_GRANT_PUT,
	     ST_GRANT_ALL, ST__COUNT };

static const char *const stmt_sql[ST__COUNT] = {
	[ST_PUT] = "INSERT INTO ctx(id, aead, hkdf, win, secret, salt, id_ctx, sender_id, "
		   "recipient_id) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9) ON CONFLICT(id) DO UPDATE SET "
		   "aead=?2, hkdf=?3, win=?4, secret=?5, salt=?6, id_ctx=?7, sender_id=?8, "
		   "recipient_id=?9",
	[ST_DEL] = "DELETE FROM ctx WHERE id=?1",
	[ST_GET] = "SELECT id, aead, hkdf, win, secret, salt, id_ctx, sender_id, recipient_id, "
		   "ssn_ceiling FROM ctx WHERE id=?1",
	/* the ceiling only grows (App. B.1.1: the stored SSN stays ahead of any SSN used) */
	[ST_RESERVE] = "UPDATE ctx SET ssn_ceiling=max(ssn_ceiling, ?2) WHERE id=?1",
	[ST_ALL] = "SELECT id, aead, hkdf, win, secret, salt, id_ctx, sender_id, recipient_id, "
		   "ssn_ceiling FROM ctx ORDER BY id",
	/* a retired key's value only grows too: an SSN ceiling or a replay top is never lowered */
	[ST_TOMB_PUT] = "INSERT INTO tomb(fp, val) VALUES(?1,?2) ON CONFLICT(fp) DO UPDATE SET "
			"val=max(val, ?2)",
	[ST_TOMB_ALL] = "SELECT fp, val FROM tomb",
	[ST_GRANT_PUT] = "INSERT INTO grant_rec(id, rec) SELECT ?1, ?2 WHERE EXISTS(SELECT 1 FROM ctx "
			 "WHERE id=?1) ON CONFLICT(id) DO UPDATE SET rec=?2",
	[ST_GRANT_ALL] = "SELECT id, rec FROM grant_rec ORDER BY id",
};

static const char schema[] =
	"PRAGMA journal_mode=WAL;"
	"PRAGMA synchronous=FULL;"
	/* a removed context's Master Secret must not linger in a free page (issue 8) */
	"PRAGMA secure_delete=ON;"
	"CREATE TABLE IF NOT EXISTS ctx("
	" id INTEGER PRIMARY KEY, aead INTEGER NOT NULL, hkdf INTEGER NOT NULL,"
	" win INTEGER NOT NULL, secret BLOB NOT NULL, salt BLOB NOT NULL, id_ctx BLOB,"
	" sender_id BLOB NOT NULL, recipient_id BLOB NOT NULL,"
	" ssn_ceiling INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE IF NOT EXISTS tomb(fp BLOB PRIMARY KEY, val INTEGER NOT NULL);"
	/* what authorised a context (an ACE token's checked claims) goes with it */
	"CREATE TABLE IF NOT EXISTS grant_rec(id INTEGER PRIMARY KEY, rec BLOB NOT NULL);"
	"CREATE TRIGGER IF NOT EXISTS grant_gone AFTER DELETE ON ctx BEGIN"
	" DELETE FROM grant_rec WHERE id=OLD.id; END;";

struct ctl_store {
	sqlite3 *db;
	sqlite3_stmt *st[ST__COUNT];
	bool scrub; /* a secret was deleted: checkpoint once no transaction is open */
};

/* Create the file 0600 before SQLite opens it: SQLite would create it 0644 minus umask, and
 * gives its -wal and -shm files the mode of the database file. */
static int create_private(const char *path, char *err, size_t err_len)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0) {
		snprintf(err, err_len, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fchmod(fd, 0600)) {
		snprintf(err, err_len, "%s: chmod 0600: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static int prepare_all(struct ctl_store *s)
{
	unsigned i;

	for (i = 0; i < ST__COUNT; i++)
		if (sqlite3_prepare_v2(s->db, stmt_sql[i], -1, &s->st[i], NULL) != SQLITE_OK)
			return -1;
	return 0;
}

struct ctl_store *ctl_store_open(const char *path, char *err, size_t err_len)
{
	struct ctl_store *s = calloc(1, sizeof(*s));

	if (!s) {
		snprintf(err, err_len, "out of memory");
		return NULL;
	}
	if (create_private(path, err, err_len))
		goto fail;
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, NULL) !=
		    SQLITE_OK ||
	    sqlite3_exec(s->db, schema, NULL, NULL, NULL) != SQLITE_OK || prepare_all(s)) {
		snprintf(err, err_len, "%s: %s", path,
			 s->db ? sqlite3_errmsg(s->db) : "cannot open");
		goto fail;
	}
	sqlite3_busy_timeout(s->db, 5000);
	return s;
fail:
	ctl_store_close(s);
	return NULL;
}

void ctl_store_close(struct ctl_store *s)
{
	unsigned i;

	if (!s)
		return;
	for (i = 0; i < ST__COUNT; i++)
		sqlite3_finalize(s->st[i]);
	sqlite3_close(s->db);
	free(s);
}

const char *ctl_store_errmsg(const struct ctl_store *s)
{
	return sqlite3_errmsg(s->db);
}

/* Run a statement with no result rows; reset it (which also clears bound secrets' copies). */
static int run(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_clear_bindings(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static void bind_blob(sqlite3_stmt *st, int col, const uint8_t *b, size_t n)
{
	static const uint8_t none;

	/* a zero-length blob, not NULL: NOT NULL columns take empty IDs and salts */
	sqlite3_bind_blob(st, col, n ? b : &none, (int)n, SQLITE_TRANSIENT);
}

int ctl_store_put_ctx(struct ctl_store *s, uint64_t id, const struct osc_params *p)
{
	sqlite3_stmt *st = s->st[ST_PUT];
	const struct cry_alg *alg = p->alg ? p->alg : cry_alg_by_cose(CRY_AES_CCM_16_64_128);

	sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
	sqlite3_bind_int(st, 2, alg->cose);
	sqlite3_bind_int(st, 3, p->hkdf);
	sqlite3_bind_int(st, 4, (int)p->replay_window);
	bind_blob(st, 5, p->secret, p->secret_len);
	bind_blob(st, 6, p->salt, p->salt_len);
	if (p->has_id_ctx)
		bind_blob(st, 7, p->id_ctx, p->id_ctx_len);
	else
		sqlite3_bind_null(st, 7); /* absent ID Context differs from empty (§3.2.1) */
	bind_blob(st, 8, p->sender_id, p->sender_id_len);
	bind_blob(st, 9, p->recipient_id, p->recipient_id_len);
	return run(st);
}

/* secure_delete zeroes the deleted cells in the new page image, but with WAL the old image stays
 * in the -wal file and the database until a checkpoint: copy it over and truncate the log. */
static void scrub(struct ctl_store *s)
{
	if (!s->scrub || !sqlite3_get_autocommit(s->db))
		return;
	if (sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL) ==
	    SQLITE_OK)
		s->scrub = false;
}

int ctl_store_del_ctx(struct ctl_store *s, uint64_t id)
{
	int rc;

	sqlite3_bind_int64(s->st[ST_DEL], 1, (sqlite3_int64)id);
	rc = run(s->st[ST_DEL]);
	s->scrub = true;
	scrub(s);
	return rc;
}

int ctl_store_put_tomb(struct ctl_store *s, const uint8_t fp[CTL_FP_LEN], uint64_t val)
{
	sqlite3_stmt *st = s->st[ST_TOMB_PUT];

	sqlite3_bind_blob(st, 1, fp, CTL_FP_LEN, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)(val > OSC_SSN_MAX + 1 ? OSC_SSN_MAX + 1 : val));
	return run(st);
}

int ctl_store_foreach_tomb(struct ctl_store *s, ctl_store_tomb_fn fn, void *arg)
{
	sqlite3_stmt *st = s->st[ST_TOMB_ALL];
	int rc = SQLITE_DONE, ret = 0;

	while (!ret && (rc = sqlite3_step(st)) == SQLITE_ROW)
		if (sqlite3_column_bytes(st, 0) == CTL_FP_LEN) /* anything else is not ours */
			ret = fn(arg, sqlite3_column_blob(st, 0),
				 (uint64_t)sqlite3_column_int64(st, 1));
	if (!ret && rc != SQLITE_DONE)
		ret = -1;
	sqlite3_reset(st);
	return ret;
}

int ctl_store_put_grant(struct ctl_store *s, uint64_t id, const uint8_t *rec, size_t len)
{
	sqlite3_stmt *st = s->st[ST_GRANT_PUT];

	if (!len || len > INT32_MAX)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
	bind_blob(st, 2, rec, len);
	if (run(st))
		return -1;
	return sqlite3_changes(s->db) ? 0 : 1;
}

int ctl_store_foreach_grant(struct ctl_store *s, ctl_store_grant_fn fn, void *arg)
{
	sqlite3_stmt *st = s->st[ST_GRANT_ALL];
	int rc = SQLITE_DONE, ret = 0;

	while (!ret && (rc = sqlite3_step(st)) == SQLITE_ROW)
		ret = fn(arg, (uint64_t)sqlite3_column_int64(st, 0), sqlite3_column_blob(st, 1),
			 (size_t)sqlite3_column_bytes(st, 1));
	if (!ret && rc != SQLITE_DONE)
		ret = -1;
	sqlite3_reset(st);
	return ret;
}

int ctl_store_reserve_ssn(struct ctl_store *s, uint64_t id, uint64_t upto)
{
	sqlite3_stmt *st = s->st[ST_RESERVE];

	if (upto > OSC_SSN_MAX + 1)
		upto = OSC_SSN_MAX + 1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)upto);
	if (run(st))
		return -1;
	return sqlite3_changes(s->db) ? 0 : 1;
}

int ctl_store_begin(struct ctl_store *s)
{
	/* IMMEDIATE: take the write lock now, so the commit cannot fail on a busy reader */
	return sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

int ctl_store_commit(struct ctl_store *s)
{
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK) {
		scrub(s);
		return 0;
	}
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* A blob column into out[0..cap); -1 if it is longer (a corrupt or foreign file). */
static int col_blob(sqlite3_stmt *st, int col, uint8_t *out, size_t cap, uint8_t *len)
{
	const void *b = sqlite3_column_blob(st, col);
	int n = sqlite3_column_bytes(st, col);

	if (n < 0 || (size_t)n > cap)
		return -1;
	if (n)
		memcpy(out, b, (size_t)n);
	*len = (uint8_t)n;
	return 0;
}

/* The current row of ST_GET / ST_ALL into p; the store is checked like any other input. */
static int row_params(sqlite3_stmt *st, struct osc_params *p)
{
	memset(p, 0, sizeof(*p));
	p->alg = cry_alg_by_cose(sqlite3_column_int(st, 1));
	p->hkdf = sqlite3_column_int(st, 2);
	p->replay_window = (unsigned)sqlite3_column_int(st, 3);
	p->has_id_ctx = sqlite3_column_type(st, 6) != SQLITE_NULL;
	if (!p->alg || col_blob(st, 4, p->secret, sizeof(p->secret), &p->secret_len) ||
	    col_blob(st, 5, p->salt, sizeof(p->salt), &p->salt_len) ||
	    col_blob(st, 6, p->id_ctx, sizeof(p->id_ctx), &p->id_ctx_len) ||
	    col_blob(st, 7, p->sender_id, sizeof(p->sender_id), &p->sender_id_len) ||
	    col_blob(st, 8, p->recipient_id, sizeof(p->recipient_id), &p->recipient_id_len))
		return -1;
	return 0;
}

int ctl_store_get_ctx(struct ctl_store *s, uint64_t id, struct osc_params *p, uint64_t *ceiling)
{
	sqlite3_stmt *st = s->st[ST_GET];
	struct osc_params tmp;
	int rc;

	sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		rc = row_params(st, &tmp);
		if (!rc && p)
			*p = tmp;
		if (ceiling)
			*ceiling = (uint64_t)sqlite3_column_int64(st, 9);
		cry_wipe(&tmp, sizeof(tmp));
	} else {
		rc = rc == SQLITE_DONE ? 1 : -1;
	}
	sqlite3_reset(st);
	return rc;
}

int ctl_store_foreach(struct ctl_store *s, ctl_store_ctx_fn fn, void *arg)
{
	sqlite3_stmt *st = s->st[ST_ALL];
	struct osc_params p;
	int rc, ret = 0;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW && !ret) {
		if (row_params(st, &p))
			ret = -1;
		else
			ret = fn(arg, (uint64_t)sqlite3_column_int64(st, 0), &p,
				 (uint64_t)sqlite3_column_int64(st, 9));
	}
	cry_wipe(&p, sizeof(p));
	if (!ret && rc != SQLITE_DONE && rc != SQLITE_ROW)
		ret = -1;
	sqlite3_reset(st);
	return ret;
}

long ctl_store_peek(const char *path, ctl_store_rid_fn fn, void *arg, char *err, size_t err_len)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	long n = 0;
	int rc;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT recipient_id FROM ctx", -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, err_len, "%s: %s", path, db ? sqlite3_errmsg(db) : "cannot open");
		sqlite3_finalize(st);
		sqlite3_close(db);
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		n++;
		if (fn)
			fn(arg, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0));
	}
	if (rc != SQLITE_DONE) {
		snprintf(err, err_len, "%s: %s", path, sqlite3_errmsg(db));
		n = -1;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}
