// GEMM for CPU devices (same arguments and results as gemm_tiled, Gemm.cl), without local memory or barriers: one
// work-item computes 16 columns of c for C · R rows, R rows at a time (R = 4, 6 or 8), each row's 16 sums held in one
// float16 in private memory. For p = 0, 1, ..., k - 1 in order it takes row p of op(b) (16 columns, one vector) and adds
// op(a)[i, p] (one float, broadcast) times it to row i's sums with CORTEX_MULADD: every output sums its k products in
// order from zero, so the results are bitwise gemm_tiled's.
// Where op(b)'s rows are contiguous (b stored (k, n), not transposed) the vector is loaded from b. Otherwise (b stored
// (n, k): a layer's forward, z = x · W^T; or the tile on the right edge) the work-item copies LANES_BLOCK_K rows of op(b)
// at a time into private vectors, transposing 16 x 16 blocks in registers where 16 columns and 16 rows are there, and
// runs the same loop over every R rows of its C · R with the block, keeping their sums in private memory
// between blocks (a float stored and reloaded is the same float, so the order of the sum is unchanged).
// Rows past m compute on a copy of the last row, columns past n on a copy of the last column, and neither is stored:
// nothing is read or written out of bounds.

// Compiled only for CPU devices (the backend defines CORTEX_LANES_GEMM there); other devices never build or run it.
#ifdef CORTEX_LANES_GEMM

#define LANES_BLOCK_K 64
#define LANES_MAX_ROWS 8
#define LANES_MAX_CHUNKS 16

// S(r) for the rows r < R of a chunk (R = 4, 6 or 8, a constant once inlined), written out so that the sums stay in registers.
#define LANES_EACH_ROW(S) S(0) S(1) S(2) S(3) if (R > 4) { S(4) S(5) } if (R > 6) { S(6) S(7) }

// 16 x 16 transposition steps on a pair of rows (see cortex_gemm_lanes_transpose).
#define LANES_SWAP8(t, i, j) { float16 l_ = (float16)(t[i].lo, t[j].lo); t[j] = (float16)(t[i].hi, t[j].hi); t[i] = l_; }
#define LANES_SWAP4(t, i, j) { float16 l_ = (float16)(t[i].s0123, t[j].s0123, t[i].s89ab, t[j].s89ab); \
    t[j] = (float16)(t[i].s4567, t[j].s4567, t[i].scdef, t[j].scdef); t[i] = l_; }
#define LANES_SWAP2(t, i, j) { float16 l_ = (float16)(t[i].s01, t[j].s01, t[i].s45, t[j].s45, t[i].s89, t[j].s89, t[i].scd, t[j].scd); \
    t[j] = (float16)(t[i].s23, t[j].s23, t[i].s67, t[j].s67, t[i].sab, t[j].sab, t[i].sef, t[j].sef); t[i] = l_; }
#define LANES_SWAP1(t, i, j) { float16 l_ = (float16)(t[i].s0, t[j].s0, t[i].s2, t[j].s2, t[i].s4, t[j].s4, t[i].s6, t[j].s6, \
    t[i].s8, t[j].s8, t[i].sa, t[j].sa, t[i].sc, t[j].sc, t[i].se, t[j].se); \
    t[j] = (float16)(t[i].s1, t[j].s1, t[i].s3, t[j].s3, t[i].s5, t[j].s5, t[i].s7, t[j].s7, \
    t[i].s9, t[j].s9, t[i].sb, t[j].sb, t[i].sd, t[j].sd, t[i].sf, t[j].sf); t[i] = l_; }

// out[q] lane j = src[j · stride + q] for q, j < 16: sixteen vector loads, then four rounds of swapping h x h blocks
// (h = 8, 4, 2, 1) between rows i and i + h.
inline void cortex_gemm_lanes_transpose(__global const float* src, int stride, float16* out)
{
    float16 t[16];
    #pragma unroll
    for (int j = 0; j < 16; j++) t[j] = vload16(0, src + j * stride);
    LANES_SWAP8(t, 0, 8) LANES_SWAP8(t, 1, 9) LANES_SWAP8(t, 2, 10) LANES_SWAP8(t, 3, 11)
    LANES_SWAP8(t, 4, 12) LANES_SWAP8(t, 5, 13) LANES_SWAP8(t, 6, 14) LANES_SWAP8(t, 7, 15)
    LANES_SWAP4(t, 0, 4) LANES_SWAP4(t, 1, 5) LANES_SWAP4(t, 2, 6) LANES_SWAP4(t, 3, 7)
    LANES_SWAP4(t, 8, 12) LANES_SWAP4(t, 9, 13) LANES_SWAP4(t, 10, 14) LANES_SWAP4(t, 11, 15)
    LANES_SWAP2(t, 0, 2) LANES_SWAP2(t, 1, 3) LANES_SWAP2(t, 4, 6) LANES_SWAP2(t, 5, 7)
    LANES_SWAP2(t, 8, 10) LANES_SWAP2(t, 9, 11) LANES_SWAP2(t, 12, 14) LANES_SWAP2(t, 13, 15)
    LANES_SWAP1(t, 0, 1) LANES_SWAP1(t, 2, 3) LANES_SWAP1(t, 4, 5) LANES_SWAP1(t, 6, 7)
    LANES_SWAP1(t, 8, 9) LANES_SWAP1(t, 10, 11) LANES_SWAP1(t, 12, 13) LANES_SWAP1(t, 14, 15)
    #pragma unroll
    for (int q = 0; q < 16; q++) out[q] = t[q];
}

// One finished row of sums, columns col .. col + 15 (those below n), as cortex_gemm_store does it lane by lane.
inline void cortex_gemm_lanes_store(__global float* c, __global float* y, __global const float* bias, int hasBias, int epilogue,
    int kind, float alpha, int accumulate, int row, int col, int n, float16 sum)
{
    if (col + 16 > n)
    {
        for (int l = 0; col + l < n; l++)
            cortex_gemm_store(c, y, bias, hasBias, epilogue, kind, alpha, accumulate, row, col + l, n, ((float*)&sum)[l]);
        return;
    }
    const int at = row * n + col;
    if (!epilogue)
    {
        vstore16(accumulate ? vload16(0, c + at) + sum : sum, 0, c + at);
        return;
    }
    float16 v = sum;
    if (hasBias) v += vload16(0, bias + col);
    vstore16(v, 0, c + at);
    if (kind == ACT_TANH) v = cortex_tanh16(v);
    else if (kind == ACT_RELU) v = select((float16)(0.0f), v, v > (float16)(0.0f));
    else if (kind != ACT_LINEAR)
    {
        float* lanes = (float*)&v;
        for (int l = 0; l < 16; l++) lanes[l] = cortex_activate(kind, alpha, lanes[l]);
    }
    vstore16(v, 0, y + at);
}

inline void cortex_gemm_lanes(const int R, const int C, __global float* c, __global const float* a, __global const float* b,
    int m, int n, int k, int transposeA, int transposeB, int accumulate,
    __global float* y, __global const float* bias, int hasBias, int epilogue, int kind, float alpha)
{
    const int col0 = get_global_id(0) * 16, rowBase = get_global_id(1) * R * C;
    if (col0 >= n || rowBase >= m) return;
    const int rowEnd = min(m, rowBase + R * C);
    // op(a)[i, p] = a[i · aRow + p · aStep]; op(b)[p, j] = b[p · bStep + j · bColumn].
    const int aRow = transposeA ? 1 : k, aStep = transposeA ? m : 1;
    const int bStep = transposeB ? 1 : n, bColumn = transposeB ? k : 1;
    __global const float* ar[LANES_MAX_ROWS];
    float16 acc[LANES_MAX_ROWS];

    if (!transposeB && col0 + 16 <= n)
    {
        for (int row0 = rowBase; row0 < rowEnd; row0 += R)
        {
#define LANES_START(r) { ar[r] = a + min(row0 + r, m - 1) * aRow; acc[r] = (float16)(0.0f); }
#define LANES_STEP(r) acc[r] = CORTEX_MULADD((float16)(ar[r][p * aStep]), bv, acc[r]);
#define LANES_STORE(r) if (row0 + r < rowEnd) cortex_gemm_lanes_store(c, y, bias, hasBias, epilogue, kind, alpha, accumulate, row0 + r, col0, n, acc[r]);
            LANES_EACH_ROW(LANES_START)
            __global const float* bp = b + col0;
            for (int p = 0; p < k; p++)
            {
                float16 bv = vload16(0, bp);
                LANES_EACH_ROW(LANES_STEP)
                bp += n;
            }
            LANES_EACH_ROW(LANES_STORE)
#undef LANES_START
#undef LANES_STEP
#undef LANES_STORE
        }
        return;
    }

    float16 part[LANES_MAX_CHUNKS * LANES_MAX_ROWS];       // the sums so far of row rowBase + i
    float16 bt[LANES_BLOCK_K];                              // bt[q] = op(b)[p0 + q, col0 .. col0 + 15]
    const bool fullWidth = col0 + 16 <= n;
    for (int i = 0; i < R * C; i++) part[i] = (float16)(0.0f);
    for (int p0 = 0; p0 < k; p0 += LANES_BLOCK_K)
    {
        const int depth = min(LANES_BLOCK_K, k - p0);
        int q0 = 0;
        if (transposeB && fullWidth)
        {
            for (; q0 + 16 <= depth; q0 += 16) cortex_gemm_lanes_transpose(b + col0 * k + p0 + q0, k, bt + q0);
        }
        for (int j = 0; j < 16; j++)
        {
            __global const float* src = b + min(col0 + j, n - 1) * bColumn + p0 * bStep;
            for (int q = q0; q < depth; q++) ((float*)&bt[q])[j] = src[q * bStep];
        }
        for (int row0 = rowBase, ci = 0; row0 < rowEnd; row0 += R, ci += R)
        {
#define LANES_START(r) { ar[r] = a + min(row0 + r, m - 1) * aRow + p0 * aStep; acc[r] = part[ci + r]; }
#define LANES_STEP(r) acc[r] = CORTEX_MULADD((float16)(ar[r][q * aStep]), bv, acc[r]);
#define LANES_KEEP(r) part[ci + r] = acc[r];
            LANES_EACH_ROW(LANES_START)
            for (int q = 0; q < depth; q++)
            {
                float16 bv = bt[q];
                LANES_EACH_ROW(LANES_STEP)
            }
            LANES_EACH_ROW(LANES_KEEP)
#undef LANES_START
#undef LANES_STEP
#undef LANES_KEEP
        }
    }
    for (int row = rowBase; row < rowEnd; row++)
        cortex_gemm_lanes_store(c, y, bias, hasBias, epilogue, kind, alpha, accumulate, row, col0, n, part[row - rowBase]);
}

#define CORTEX_GEMM_LANES_KERNEL(NAME, R, C)                                                                                \
__kernel void NAME(__global float* c, int cOffset, __global const float* a, int aOffset, __global const float* b, int bOffset, \
    int m, int n, int k, int transposeA, int transposeB, int accumulate,                                                   \
    __global float* y, int yOffset, __global const float* bias, int biasOffset, int hasBias, int epilogue, int kind, float alpha) \
{                                                                                                                          \
    cortex_gemm_lanes(R, C, c + cOffset, a + aOffset, b + bOffset, m, n, k, transposeA, transposeB, accumulate,            \
        y + yOffset, bias + biasOffset, hasBias, epilogue, kind, alpha);                                                   \
}

// Named by the work-item's tile (rows x columns) and the rows held in registers at a time.
CORTEX_GEMM_LANES_KERNEL(gemm_lanes_64x16_r4, 4, 16)
CORTEX_GEMM_LANES_KERNEL(gemm_lanes_48x16_r6, 6, 8)
CORTEX_GEMM_LANES_KERNEL(gemm_lanes_32x16_r8, 8, 4)
CORTEX_GEMM_LANES_KERNEL(gemm_lanes_64x16_r8, 8, 8)

#endif
