// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * parse.c - the model parser.  It trusts nothing in the blob: every count,
 * size, index and shape is checked before use, the checksum covers all
 * bytes after it, and the model is built into one allocation whose size
 * is bounded by the blob's size.  The first problem found ends the parse
 * with one line in the log naming the part, node or layer.
 */
#include "mlib/format.h"
#include "mlib/log.h"
#include "proto/crc32c.h"

struct reader {
	const u8 *p;
	size_t len;
	size_t off;
	struct rmt_mlog *log;
};

struct arena {
	u8 *base;
	size_t size;
	size_t used;
};

static u16 le16(const u8 *p)
{
	return (u16)(p[0] | (u16)p[1] << 8);
}

static u32 le32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static int need(struct reader *r, size_t n, const char *what)
{
	if (r->len - r->off >= n)
		return 0;
	rmt_mlog_printf(r->log,
			"truncated: %s needs %lu bytes at offset %lu, "
			"file has %lu",
			what, (unsigned long)n, (unsigned long)r->off,
			(unsigned long)r->len);
	return -EINVAL;
}

static u8 get8(struct reader *r)
{
	return r->p[r->off++];
}

static u16 get16(struct reader *r)
{
	u16 v = le16(r->p + r->off);

	r->off += 2;
	return v;
}

static u32 get32(struct reader *r)
{
	u32 v = le32(r->p + r->off);

	r->off += 4;
	return v;
}

static void *arena_get(struct arena *a, size_t n)
{
	void *p;

	a->used = RMT_ALIGN_UP(a->used, (size_t)8);
	if (n > a->size - a->used)
		return NULL;
	p = a->base + a->used;
	a->used += n;
	return p;
}

int rmt_model_read_header(const void *buf, size_t len,
			  struct rmt_model_header *hdr, char *log,
			  size_t log_size)
{
	struct rmt_mlog l;
	const u8 *p = buf;
	u32 magic, i;

	rmt_mlog_init(&l, log, log_size);
	if (!buf || len < RMT_MODEL_HDR_SIZE) {
		rmt_mlog_printf(&l,
				"truncated: header needs %u bytes, "
				"file has %lu",
				RMT_MODEL_HDR_SIZE, (unsigned long)len);
		return -EINVAL;
	}
	magic = le32(p);
	if (magic != RMT_MODEL_MAGIC) {
		rmt_mlog_printf(&l, "bad magic 0x%x: not an rmt model", magic);
		return -EINVAL;
	}
	hdr->version = le16(p + 4);
	hdr->type = le16(p + 6);
	hdr->total_len = le32(p + 12);
	hdr->n_features = le16(p + 16);
	hdr->n_classes = le16(p + 18);
	hdr->in_frac_bits = p[20];
	hdr->out_frac_bits = p[21];
	hdr->n_parts = le16(p + 22);
	hdr->cost.node_visits = le32(p + 24);
	hdr->cost.macs = le32(p + 28);
	hdr->max_depth = le16(p + 32);
	if (hdr->version != RMT_MODEL_VERSION) {
		rmt_mlog_printf(&l,
				"unsupported format version %u (this "
				"build reads %u)",
				hdr->version, RMT_MODEL_VERSION);
		return -EINVAL;
	}
	if (hdr->total_len > RMT_MODEL_MAX_SIZE) {
		rmt_mlog_printf(&l,
				"header: %u bytes is over the %u-byte "
				"limit",
				hdr->total_len, RMT_MODEL_MAX_SIZE);
		return -EINVAL;
	}
	if (hdr->total_len < RMT_MODEL_HDR_SIZE) {
		rmt_mlog_printf(&l,
				"header: total length %u is shorter than "
				"the header",
				hdr->total_len);
		return -EINVAL;
	}
	for (i = 34; i < RMT_MODEL_HDR_SIZE; i++) {
		if (p[i]) {
			rmt_mlog_printf(&l,
					"header: reserved byte %u is %u, "
					"must be 0",
					i, p[i]);
			return -EINVAL;
		}
	}
	if (!hdr->n_features || hdr->n_features > RMT_MODEL_MAX_FEATURES) {
		rmt_mlog_printf(&l, "header: %u features (1 to %u allowed)",
				hdr->n_features, RMT_MODEL_MAX_FEATURES);
		return -EINVAL;
	}
	if (hdr->n_classes > RMT_MODEL_MAX_CLASSES) {
		rmt_mlog_printf(&l, "header: %u classes (at most %u)",
				hdr->n_classes, RMT_MODEL_MAX_CLASSES);
		return -EINVAL;
	}
	if (hdr->in_frac_bits > RMT_MODEL_MAX_FRAC ||
	    hdr->out_frac_bits > RMT_MODEL_MAX_FRAC) {
		rmt_mlog_printf(&l,
				"header: %u/%u fractional bits (at most "
				"%u)",
				hdr->in_frac_bits, hdr->out_frac_bits,
				RMT_MODEL_MAX_FRAC);
		return -EINVAL;
	}
	switch (hdr->type) {
	case RMT_MODEL_TREE:
	case RMT_MODEL_FOREST:
		if (hdr->n_parts < 1 || hdr->n_parts > RMT_FOREST_MAX_TREES ||
		    (hdr->type == RMT_MODEL_TREE && hdr->n_parts != 1)) {
			rmt_mlog_printf(&l, "header: %u trees for a %s",
					hdr->n_parts,
					hdr->type == RMT_MODEL_TREE ?
						"tree (needs 1)" :
						"forest (1 to 256)");
			return -EINVAL;
		}
		if (hdr->max_depth > RMT_TREE_MAX_DEPTH || hdr->cost.macs) {
			rmt_mlog_printf(&l,
					"header: max depth %u (at most "
					"%u), %u MACs (must be 0)",
					hdr->max_depth, RMT_TREE_MAX_DEPTH,
					hdr->cost.macs);
			return -EINVAL;
		}
		break;
	case RMT_MODEL_MLP:
		if (hdr->n_parts < 1 || hdr->n_parts > RMT_MLP_MAX_LAYERS ||
		    hdr->n_classes < 2 || hdr->max_depth ||
		    hdr->cost.node_visits) {
			rmt_mlog_printf(&l,
					"header: MLP with %u layers (1 to "
					"%u), %u classes (2 or more), depth "
					"%u and %u node visits (must be 0)",
					hdr->n_parts, RMT_MLP_MAX_LAYERS,
					hdr->n_classes, hdr->max_depth,
					hdr->cost.node_visits);
			return -EINVAL;
		}
		break;
	default:
		rmt_mlog_printf(&l, "header: unknown model type %u", hdr->type);
		return -EINVAL;
	}
	return 0;
}

static int check_node(struct reader *r, const struct rmt_model *m, u32 t, u32 i,
		      const struct rmt_tree_node *n, u32 n_nodes, u16 *depth)
{
	u32 c, child[2] = { n->left, n->right };

	if (i && depth[i] == 0xffff) {
		rmt_mlog_printf(r->log,
				"tree %u node %u: no parent "
				"(unreachable)",
				t, i);
		return -EINVAL;
	}
	if (n->feature == RMT_TREE_LEAF) {
		if (n->left || n->right) {
			rmt_mlog_printf(r->log,
					"tree %u node %u: leaf has "
					"children %u and %u",
					t, i, n->left, n->right);
			return -EINVAL;
		}
		if (m->n_classes &&
		    (n->value < 0 || (u32)n->value >= m->n_classes)) {
			rmt_mlog_printf(r->log,
					"tree %u node %u: leaf class "
					"%d out of range (%u classes)",
					t, i, n->value, m->n_classes);
			return -EINVAL;
		}
		return 0;
	}
	if (n->feature >= m->n_features) {
		rmt_mlog_printf(r->log,
				"tree %u node %u: feature %u out of "
				"range (%u features)",
				t, i, n->feature, m->n_features);
		return -EINVAL;
	}
	if (n->conf) {
		rmt_mlog_printf(r->log,
				"tree %u node %u: inner node with "
				"confidence %u (must be 0)",
				t, i, n->conf);
		return -EINVAL;
	}
	for (c = 0; c < 2; c++) {
		if (child[c] >= n_nodes) {
			rmt_mlog_printf(r->log,
					"tree %u node %u: child %u "
					"out of range (%u nodes)",
					t, i, child[c], n_nodes);
			return -EINVAL;
		}
		if (child[c] <= i) {
			rmt_mlog_printf(r->log,
					"tree %u node %u: child %u "
					"does not come after its parent "
					"(cycle or back edge)",
					t, i, child[c]);
			return -EINVAL;
		}
		if (depth[child[c]] != 0xffff) {
			rmt_mlog_printf(r->log,
					"tree %u node %u: child %u "
					"already has a parent (not a tree)",
					t, i, child[c]);
			return -EINVAL;
		}
		depth[child[c]] = (u16)(depth[i] + 1);
	}
	return 0;
}

static int parse_tree(struct reader *r, struct arena *a, struct rmt_model *m,
		      u32 t, u16 *depth)
{
	struct rmt_tree *tree = &m->trees[t];
	struct rmt_tree_node *n;
	u32 n_nodes, i, max = 0;
	int err;

	if ((err = need(r, 8, "tree header")))
		return err;
	n_nodes = get32(r);
	if (get32(r)) {
		rmt_mlog_printf(r->log, "tree %u: reserved word is not 0", t);
		return -EINVAL;
	}
	if (!n_nodes || n_nodes > RMT_TREE_MAX_NODES) {
		rmt_mlog_printf(r->log, "tree %u: %u nodes (1 to %u allowed)",
				t, n_nodes, RMT_TREE_MAX_NODES);
		return -EINVAL;
	}
	if ((err = need(r, (size_t)n_nodes * RMT_MODEL_NODE_SIZE, "nodes")))
		return err;
	tree->nodes = arena_get(a, (size_t)n_nodes * sizeof(*tree->nodes));
	if (!tree->nodes)
		return -ENOMEM;
	tree->n_nodes = n_nodes;
	memset(depth, 0xff, (size_t)n_nodes * sizeof(*depth));
	depth[0] = 0;
	for (i = 0; i < n_nodes; i++) {
		n = &tree->nodes[i];
		n->feature = get16(r);
		n->conf = get16(r);
		n->value = (s32)get32(r);
		n->left = get16(r);
		n->right = get16(r);
		if ((err = check_node(r, m, t, i, n, n_nodes, depth)))
			return err;
		if (depth[i] > max)
			max = depth[i];
	}
	tree->depth = max;
	return 0;
}

static int parse_trees(struct reader *r, struct arena *a, struct rmt_model *m,
		       const struct rmt_model_header *h)
{
	u32 t, visits = 0, max = 0;
	u16 *depth;
	int err = 0;

	m->trees = arena_get(a, (size_t)h->n_parts * sizeof(*m->trees));
	depth = rmt_alloc(RMT_TREE_MAX_NODES * sizeof(*depth));
	if (!m->trees || !depth) {
		rmt_free(depth);
		return -ENOMEM;
	}
	m->n_trees = h->n_parts;
	for (t = 0; t < m->n_trees && !err; t++) {
		err = parse_tree(r, a, m, t, depth);
		if (err)
			break;
		if (m->trees[t].depth > h->max_depth) {
			rmt_mlog_printf(r->log,
					"tree %u: depth %u, header "
					"declares max depth %u",
					t, m->trees[t].depth, h->max_depth);
			err = -EINVAL;
		}
		visits += m->trees[t].depth + 1;
		if (m->trees[t].depth > max)
			max = m->trees[t].depth;
	}
	rmt_free(depth);
	if (err)
		return err;
	if (max != h->max_depth || visits != h->cost.node_visits) {
		rmt_mlog_printf(r->log,
				"header declares depth %u and %u node "
				"visits, trees need depth %u and %u visits",
				h->max_depth, h->cost.node_visits, max, visits);
		return -EINVAL;
	}
	m->max_depth = max;
	return 0;
}

static int parse_inputs(struct reader *r, struct arena *a, struct rmt_model *m)
{
	struct rmt_input_q *inq;
	u32 i;
	int err;

	if ((err = need(r, 4 + (size_t)m->n_features * RMT_MODEL_INQ_SIZE,
			"input scaling")))
		return err;
	m->mlp.in_zp = (s32)get32(r);
	if (m->mlp.in_zp < -128 || m->mlp.in_zp > 127) {
		rmt_mlog_printf(r->log, "input: zero point %d outside int8",
				m->mlp.in_zp);
		return -EINVAL;
	}
	inq = arena_get(a, (size_t)m->n_features * sizeof(*inq));
	if (!inq)
		return -ENOMEM;
	for (i = 0; i < m->n_features; i++) {
		inq[i].offset = (s32)get32(r);
		inq[i].mult = (s32)get32(r);
		inq[i].shift = get8(r);
		if (get8(r) | get8(r) | get8(r)) {
			rmt_mlog_printf(r->log, "input %u: padding is not 0",
					i);
			return -EINVAL;
		}
		if (inq[i].mult < 0 || inq[i].mult >= (1 << 15) ||
		    inq[i].shift > 62) {
			rmt_mlog_printf(r->log,
					"input %u: multiplier %d "
					"(0 to 32767) or shift %u (at most "
					"62) out of range",
					i, inq[i].mult, inq[i].shift);
			return -EINVAL;
		}
	}
	m->mlp.inq = inq;
	return 0;
}

static int check_layer_shape(struct reader *r, const struct rmt_layer *l, u32 i,
			     u32 n_in, u32 last, u32 n_classes)
{
	u32 lout, n_out;

	if (l->kind != RMT_LAYER_DENSE && l->kind != RMT_LAYER_CONV1D) {
		rmt_mlog_printf(r->log, "layer %u: unknown kind %u", i,
				l->kind);
		return -EINVAL;
	}
	if (l->act > RMT_ACT_LUT || (l->wbits != 8 && l->wbits != 16) ||
	    l->shift > 62 || l->mult < 0 || l->out_zp < -128 ||
	    l->out_zp > 127) {
		rmt_mlog_printf(r->log,
				"layer %u: activation %u, %u-bit "
				"weights, shift %u, multiplier %d or zero "
				"point %d out of range",
				i, l->act, l->wbits, l->shift, l->mult,
				l->out_zp);
		return -EINVAL;
	}
	if (!l->cin || !l->cout || !l->len_in || !l->ksize ||
	    l->ksize > l->len_in ||
	    (l->kind == RMT_LAYER_DENSE && (l->len_in != 1 || l->ksize != 1))) {
		rmt_mlog_printf(r->log,
				"layer %u: bad shape cin %u len %u "
				"cout %u kernel %u",
				i, l->cin, l->len_in, l->cout, l->ksize);
		return -EINVAL;
	}
	lout = (u32)l->len_in - l->ksize + 1u;
	n_out = (u32)l->cout * lout;
	if ((u32)l->cin * l->len_in != n_in || n_in > RMT_MLP_MAX_WIDTH) {
		rmt_mlog_printf(r->log,
				"layer %u: takes %u inputs, %s gives "
				"%u (at most %u)",
				i, (u32)l->cin * l->len_in,
				i ? "the layer before" : "the model input",
				n_in, RMT_MLP_MAX_WIDTH);
		return -EINVAL;
	}
	if (n_out > RMT_MLP_MAX_WIDTH) {
		rmt_mlog_printf(r->log, "layer %u: %u outputs (at most %u)", i,
				n_out, RMT_MLP_MAX_WIDTH);
		return -EINVAL;
	}
	if (i == last && (l->act != RMT_ACT_NONE || n_out != n_classes)) {
		rmt_mlog_printf(r->log,
				"layer %u: last layer gives %u outputs "
				"with activation %u, model has %u classes "
				"(activation must be 0)",
				i, n_out, l->act, n_classes);
		return -EINVAL;
	}
	return 0;
}

/*
 * Weights and bias; the bias in memory absorbs -in_zp * sum(w) of its
 * row, and the bound on every partial sum must stay below 2^31.
 */
static int parse_weights(struct reader *r, struct arena *a, struct rmt_layer *l,
			 u32 i, s32 in_zp)
{
	u32 per_out = (u32)l->cin * l->ksize, n = per_out * l->cout;
	size_t bytes = (size_t)n * (l->wbits / 8u), pad;
	s64 sum, abs_sum, b, bound;
	s32 *bias;
	u32 o, k;
	int err;

	pad = RMT_ALIGN_UP(bytes, (size_t)4) - bytes;
	if ((err = need(r, bytes + pad + (size_t)l->cout * 4, "weights")))
		return err;
	if (l->wbits == 8) {
		s8 *w = arena_get(a, n);

		if (!w)
			return -ENOMEM;
		memcpy(w, r->p + r->off, n);
		r->off += n;
		l->w8 = w;
	} else {
		s16 *w = arena_get(a, (size_t)n * 2);

		if (!w)
			return -ENOMEM;
		for (k = 0; k < n; k++)
			w[k] = (s16)get16(r);
		l->w16 = w;
	}
	for (k = 0; k < pad; k++) {
		if (get8(r)) {
			rmt_mlog_printf(r->log, "layer %u: padding is not 0",
					i);
			return -EINVAL;
		}
	}
	bias = arena_get(a, (size_t)l->cout * sizeof(*bias));
	if (!bias)
		return -ENOMEM;
	for (o = 0; o < l->cout; o++) {
		sum = 0;
		abs_sum = 0;
		for (k = 0; k < per_out; k++) {
			s32 w = l->wbits == 8 ? l->w8[o * per_out + k] :
						l->w16[o * per_out + k];

			sum += w;
			abs_sum += w < 0 ? -w : w;
		}
		b = (s32)get32(r);
		bound = (b < 0 ? -b : b) + 255 * abs_sum;
		b -= (s64)in_zp * sum;
		if (bound > 0x7fffffffLL ||
		    (b < 0 ? -b : b) + 128 * abs_sum > 0x7fffffffLL) {
			rmt_mlog_printf(r->log,
					"layer %u output %u: the 32-bit "
					"accumulator may overflow (bound %lld)",
					i, o, (long long)bound);
			return -EINVAL;
		}
		bias[o] = (s32)b;
	}
	l->bias = bias;
	return 0;
}

static int parse_layer(struct reader *r, struct arena *a, struct rmt_model *m,
		       struct rmt_layer *l, u32 i, u32 *n_io, s32 *zp)
{
	s8 *lut;
	int err;

	if ((err = need(r, RMT_MODEL_LAYER_SIZE, "layer header")))
		return err;
	l->kind = get8(r);
	l->act = get8(r);
	l->wbits = get8(r);
	l->shift = get8(r);
	l->cin = get16(r);
	l->len_in = get16(r);
	l->cout = get16(r);
	l->ksize = get16(r);
	l->out_zp = (s32)get32(r);
	l->mult = (s32)get32(r);
	if (get32(r)) {
		rmt_mlog_printf(r->log, "layer %u: reserved word is not 0", i);
		return -EINVAL;
	}
	err = check_layer_shape(r, l, i, *n_io, m->mlp.n_layers - 1,
				m->n_classes);
	if (err)
		return err;
	if ((err = parse_weights(r, a, l, i, *zp)))
		return err;
	if (l->act == RMT_ACT_LUT) {
		if ((err = need(r, 256, "activation table")))
			return err;
		lut = arena_get(a, 256);
		if (!lut)
			return -ENOMEM;
		memcpy(lut, r->p + r->off, 256);
		r->off += 256;
		l->lut = lut;
	}
	*n_io = (u32)l->cout * ((u32)l->len_in - l->ksize + 1u);
	*zp = l->act == RMT_ACT_LUT ? 0 : l->out_zp;
	return 0;
}

static int parse_mlp(struct reader *r, struct arena *a, struct rmt_model *m,
		     const struct rmt_model_header *h)
{
	struct rmt_layer *layers;
	struct rmt_model_cost cost;
	u32 i, n_io = m->n_features;
	s32 zp;
	int err;

	if ((err = parse_inputs(r, a, m)))
		return err;
	layers = arena_get(a, (size_t)h->n_parts * sizeof(*layers));
	if (!layers)
		return -ENOMEM;
	memset(layers, 0, (size_t)h->n_parts * sizeof(*layers));
	m->mlp.layers = layers;
	m->mlp.n_layers = h->n_parts;
	zp = m->mlp.in_zp;
	for (i = 0; i < h->n_parts; i++)
		if ((err = parse_layer(r, a, m, &layers[i], i, &n_io, &zp)))
			return err;
	rmt_model_cost(m, &cost);
	if (cost.macs != h->cost.macs) {
		rmt_mlog_printf(r->log,
				"header declares %u MACs, layers need "
				"%u",
				h->cost.macs, cost.macs);
		return -EINVAL;
	}
	return 0;
}

int rmt_model_parse(const void *buf, size_t len, struct rmt_model **out,
		    char *log, size_t log_size)
{
	struct rmt_model_header h;
	struct reader r;
	struct arena a;
	struct rmt_mlog l;
	struct rmt_model *m;
	u32 crc, want;
	int err;

	*out = NULL;
	err = rmt_model_read_header(buf, len, &h, log, log_size);
	if (err)
		return err;
	rmt_mlog_init(&l, log, log_size);
	if (h.total_len != len) {
		rmt_mlog_printf(&l, "%s: header says %u bytes, file has %lu",
				h.total_len > len ? "truncated" :
						    "trailing bytes",
				h.total_len, (unsigned long)len);
		return -EINVAL;
	}
	want = le32((const u8 *)buf + 8);
	crc = rmt_crc32c(0, (const u8 *)buf + 12, len - 12);
	if (crc != want) {
		rmt_mlog_printf(&l,
				"checksum mismatch: header 0x%x, "
				"contents 0x%x",
				want, crc);
		return -EINVAL;
	}
	/*
	 * In memory nothing is more than twice its size in the blob, plus
	 * per-part structs and alignment.
	 */
	a.size = sizeof(*m) + 2 * len + 128 * ((size_t)h.n_parts + 4);
	a.used = 0;
	a.base = rmt_alloc(a.size);
	if (!a.base)
		return -ENOMEM;
	m = arena_get(&a, sizeof(*m));
	m->type = h.type;
	m->n_features = h.n_features;
	m->n_classes = h.n_classes;
	m->in_frac_bits = h.in_frac_bits;
	m->out_frac_bits = h.out_frac_bits;
	r.p = buf;
	r.len = len;
	r.off = RMT_MODEL_HDR_SIZE;
	r.log = &l;
	if (h.type == RMT_MODEL_MLP)
		err = parse_mlp(&r, &a, m, &h);
	else
		err = parse_trees(&r, &a, m, &h);
	if (!err && r.off != len) {
		rmt_mlog_printf(&l, "%lu bytes after the last part",
				(unsigned long)(len - r.off));
		err = -EINVAL;
	}
	if (err == -ENOMEM && !l.len)
		rmt_mlog_printf(&l, "out of memory building the model");
	if (err) {
		rmt_free(a.base);
		return err;
	}
	*out = m;
	return 0;
}
