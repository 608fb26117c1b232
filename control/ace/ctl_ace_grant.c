/* SPDX-License-Identifier: BSD-3-Clause */
/* The kept record of an accepted token (see ctl_ace_grant.h). */
#include "control/ace/ctl_ace_grant.h"

#include <errno.h>
#include <string.h>

#include "crypto/cry_cbor.h"
#include "crypto/cry_cbor_dec.h"

enum { G_VERSION, G_ISSUER, G_EXPIRES, G_CTI, G_OSC_ID, G_SCOPE, G__COUNT };

/* The scope as AIF; entries' local-parts are percent-encoded where needed and decoded again by
 * ctl_ace_scope_add, so the record compiles back to the same scope. */
static int encode_scope(struct cry_cbor_buf *b, const struct ctl_ace_scope *sc)
{
	char lp[CTL_ACE_SCOPE_TEXT * 3 + 2];
	unsigned i;

	cry_cbor_head(b, CRY_CBOR_ARRAY, sc->n);
	for (i = 0; i < sc->n; i++) {
		int n = ctl_ace_scope_entry_text(sc, i, lp, sizeof(lp));

		if (n < 0)
			return -ENOSPC;
		cry_cbor_head(b, CRY_CBOR_ARRAY, 2);
		cry_cbor_tstr_n(b, lp, (size_t)n);
		cry_cbor_head(b, CRY_CBOR_UINT, sc->e[i].methods);
	}
	return 0;
}

int ctl_ace_grant_encode(const struct ctl_ace_conf *conf, const struct ctl_ace_token *t,
			 uint8_t *out, size_t cap)
{
	struct cry_cbor_buf b;

	if (t->as >= conf->n_as)
		return -EINVAL;
	cry_cbor_init(&b, out, cap);
	cry_cbor_head(&b, CRY_CBOR_ARRAY, G__COUNT);
	cry_cbor_int(&b, CTL_ACE_GRANT_VERSION);
	cry_cbor_tstr(&b, conf->as[t->as].name);
	cry_cbor_int(&b, t->expires);
	cry_cbor_bstr(&b, t->cti, t->cti_len);
	cry_cbor_bstr(&b, t->osc_id, t->osc_id_len);
	if (encode_scope(&b, &t->scope))
		return -ENOSPC;
	return cry_cbor_done(&b);
}

/* A bstr item into out[0..cap) with its length; false if it is not one or too long. */
static bool get_bytes(const cbor_item_t *it, uint8_t *out, size_t cap, uint8_t *len)
{
	const uint8_t *p;
	size_t n;

	if (!cry_cbor_get_bstr(it, &p, &n) || n > cap)
		return false;
	memcpy(out, p, n);
	*len = (uint8_t)n;
	return true;
}

/* The configured AS called name[0..len), or conf->n_as. */
static unsigned as_named(const struct ctl_ace_conf *conf, const char *name, size_t len)
{
	unsigned i;

	for (i = 0; i < conf->n_as; i++)
		if (strlen(conf->as[i].name) == len && !memcmp(conf->as[i].name, name, len))
			break;
	return i;
}

static int decode_items(const struct ctl_ace_conf *conf, cbor_item_t **a, struct ctl_ace_token *t)
{
	const char *name;
	size_t name_len;
	int64_t v;

	if (!cry_cbor_get_int(a[G_VERSION], &v) || v != CTL_ACE_GRANT_VERSION ||
	    !cry_cbor_get_tstr(a[G_ISSUER], &name, &name_len) ||
	    !cry_cbor_get_int(a[G_EXPIRES], &t->expires) || t->expires < 0 ||
	    !get_bytes(a[G_CTI], t->cti, sizeof(t->cti), &t->cti_len) ||
	    !get_bytes(a[G_OSC_ID], t->osc_id, sizeof(t->osc_id), &t->osc_id_len))
		return -EBADMSG;
	t->as = as_named(conf, name, name_len);
	if (t->as == conf->n_as)
		return -ENOENT;
	t->has_osc = true;
	return ctl_ace_scope_from_aif(&t->scope, a[G_SCOPE]) ? -EBADMSG : 0;
}

int ctl_ace_grant_decode(const struct ctl_ace_conf *conf, const uint8_t *rec, size_t len,
			 struct ctl_ace_token *t)
{
	static const struct cry_cbor_limits lim = { .max_len = CTL_ACE_GRANT_MAX, .max_depth = 4,
						    .max_items = 8 + 3 * CTL_ACE_SCOPE_ENTRIES };
	cbor_item_t *root = NULL;
	int rc;

	memset(t, 0, sizeof(*t));
	rc = cry_cbor_decode(rec, len, &lim, &root, NULL);
	if (!rc)
		rc = cbor_isa_array(root) && cbor_array_size(root) == G__COUNT ?
			     decode_items(conf, cbor_array_handle(root), t) :
			     -EBADMSG;
	if (root)
		cbor_decref(&root);
	if (rc)
		memset(t, 0, sizeof(*t));
	return rc;
}
