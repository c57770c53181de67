// c (m, n) = op(a) (m, k) . op(b) (k, n), or c += ... when accumulate. op(a) is a stored (m, k), or
// a^T when transposeA (a stored (k, m)); op(b) is b stored (k, n), or b^T when transposeB (b stored
// (n, k)). Row-major. Every output sums its k products in order p = 0, 1, ..., k - 1, like GemmNaive.
// Tiles are loaded so that neighbouring work-items read neighbouring floats whatever the transpose.
// The epilogue (epilogue != 0, never with accumulate) is a dense layer's forward on the finished sum, in
// registers: c = sum + bias[col] (when hasBias), then y = f(c); the same float operations in the same
// order as gemm followed by bias_activation_forward, so the results are bitwise theirs. y may be c.

inline void cortex_gemm_store(__global float* c, __global float* y, __global const float* bias, int hasBias, int epilogue,
    int kind, float alpha, int accumulate, int row, int col, int n, float sum)
{
    int at = row * n + col;
    if (!epilogue)
    {
        c[at] = accumulate ? c[at] + sum : sum;
        return;
    }
    float v = sum;
    if (hasBias) v += bias[col];
    c[at] = v;
    y[at] = cortex_activate(kind, alpha, v);
}

#ifndef GEMM_TILE
#define GEMM_TILE 16
#endif

// One output per work-item; (GEMM_TILE x GEMM_TILE) work-groups; any m, n, k.
__kernel __attribute__((reqd_work_group_size(GEMM_TILE, GEMM_TILE, 1)))
void gemm_tiled(__global float* c, int cOffset, __global const float* a, int aOffset, __global const float* b, int bOffset,
    int m, int n, int k, int transposeA, int transposeB, int accumulate,
    __global float* y, int yOffset, __global const float* bias, int biasOffset, int hasBias, int epilogue, int kind, float alpha)
{
    __local float as[GEMM_TILE][GEMM_TILE + 1];   // as[i][p] = op(a)[row0 + i][p0 + p]
    __local float bs[GEMM_TILE][GEMM_TILE + 1];   // bs[p][j] = op(b)[p0 + p][col0 + j]
    const int tx = get_local_id(0), ty = get_local_id(1);
    const int row0 = get_group_id(1) * GEMM_TILE, col0 = get_group_id(0) * GEMM_TILE;
    a += aOffset;
    b += bOffset;
    c += cOffset;
    y += yOffset;
    bias += biasOffset;
    float sum = 0.0f;
    for (int p0 = 0; p0 < k; p0 += GEMM_TILE)
    {
        if (transposeA)
        {
            int i = tx, p = ty;                                   // a (k, m): contiguous along i
            as[i][p] = (row0 + i < m && p0 + p < k) ? a[(p0 + p) * m + row0 + i] : 0.0f;
        }
        else
        {
            int i = ty, p = tx;                                   // a (m, k): contiguous along p
            as[i][p] = (row0 + i < m && p0 + p < k) ? a[(row0 + i) * k + p0 + p] : 0.0f;
        }
        if (transposeB)
        {
            int j = ty, p = tx;                                   // b (n, k): contiguous along p
            bs[p][j] = (col0 + j < n && p0 + p < k) ? b[(col0 + j) * k + p0 + p] : 0.0f;
        }
        else
        {
            int j = tx, p = ty;                                   // b (k, n): contiguous along j
            bs[p][j] = (col0 + j < n && p0 + p < k) ? b[(p0 + p) * n + col0 + j] : 0.0f;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        int depth = min(GEMM_TILE, k - p0);
        for (int p = 0; p < depth; p++) sum = CORTEX_MULADD(as[ty][p], bs[p][tx], sum);
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    int row = row0 + ty, col = col0 + tx;
    if (row < m && col < n) cortex_gemm_store(c, y, bias, hasBias, epilogue, kind, alpha, accumulate, row, col, n, sum);
}

// Register-blocked: a (T x T) work-group computes a (T·W x T·W) tile of c, each work-item a W x W block strided by T
// (so stores stay coalesced); k advances 16 at a time through local memory. The variants (T, W) = (16, 4) (the
// default, gemm_blocked), (16, 2), (8, 8) and (8, 4) differ in tile size and work per item only: every output still
// adds its k products in order, so all of them, and gemm_tiled, give bitwise the same results. The backend measures
// them once per device and driver and keeps the fastest.
#define BLOCK_K 16
#define BLOCK_MAX_WORK 8

inline void cortex_gemm_blocked(const int T, const int W, __local float* as, __local float* bs,
    __global float* c, __global const float* a, __global const float* b, int m, int n, int k, int transposeA, int transposeB, int accumulate,
    __global float* y, __global const float* bias, int hasBias, int epilogue, int kind, float alpha)
{
    // as[p][i] = op(a)[row0 + i][p0 + p], bs[p][j] = op(b)[p0 + p][col0 + j], rows of T·W + 1 floats.
    const int tileM = T * W, stride = T * W + 1;
    const int tx = get_local_id(0), ty = get_local_id(1), id = ty * T + tx;
    const int row0 = get_group_id(1) * tileM, col0 = get_group_id(0) * tileM;
    float acc[BLOCK_MAX_WORK][BLOCK_MAX_WORK];
    for (int wi = 0; wi < W; wi++)
        for (int wj = 0; wj < W; wj++) acc[wi][wj] = 0.0f;

    for (int p0 = 0; p0 < k; p0 += BLOCK_K)
    {
        // Each tile holds T·W x 16 floats: 16·W/T per work-item.
        for (int l = 0; l < BLOCK_K * W / T; l++)
        {
            int e = id + l * T * T;
            int i, p, j, q;
            if (transposeA) { i = e % tileM; p = e / tileM; }             // a (k, m): contiguous along i
            else { p = e % BLOCK_K; i = e / BLOCK_K; }                    // a (m, k): contiguous along p
            as[p * stride + i] = (row0 + i < m && p0 + p < k)
                ? (transposeA ? a[(p0 + p) * m + row0 + i] : a[(row0 + i) * k + p0 + p]) : 0.0f;
            if (transposeB) { q = e % BLOCK_K; j = e / BLOCK_K; }         // b (n, k): contiguous along p
            else { j = e % tileM; q = e / tileM; }                        // b (k, n): contiguous along j
            bs[q * stride + j] = (col0 + j < n && p0 + q < k)
                ? (transposeB ? b[(col0 + j) * k + p0 + q] : b[(p0 + q) * n + col0 + j]) : 0.0f;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        int depth = min(BLOCK_K, k - p0);
        for (int p = 0; p < depth; p++)
        {
            float ar[BLOCK_MAX_WORK], br[BLOCK_MAX_WORK];
            for (int w = 0; w < W; w++)
            {
                ar[w] = as[p * stride + ty + w * T];
                br[w] = bs[p * stride + tx + w * T];
            }
            for (int wi = 0; wi < W; wi++)
                for (int wj = 0; wj < W; wj++) acc[wi][wj] = CORTEX_MULADD(ar[wi], br[wj], acc[wi][wj]);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    for (int wi = 0; wi < W; wi++)
    {
        int row = row0 + ty + wi * T;
        if (row >= m) break;
        for (int wj = 0; wj < W; wj++)
        {
            int col = col0 + tx + wj * T;
            if (col < n) cortex_gemm_store(c, y, bias, hasBias, epilogue, kind, alpha, accumulate, row, col, n, acc[wi][wj]);
        }
    }
}

#define CORTEX_GEMM_BLOCKED_KERNEL(NAME, T, W)                                                                              \
__kernel __attribute__((reqd_work_group_size(T, T, 1)))                                                                    \
void NAME(__global float* c, int cOffset, __global const float* a, int aOffset, __global const float* b, int bOffset,       \
    int m, int n, int k, int transposeA, int transposeB, int accumulate,                                                   \
    __global float* y, int yOffset, __global const float* bias, int biasOffset, int hasBias, int epilogue, int kind, float alpha) \
{                                                                                                                          \
    __local float as[BLOCK_K * (T * W + 1)];                                                                               \
    __local float bs[BLOCK_K * (T * W + 1)];                                                                               \
    cortex_gemm_blocked(T, W, as, bs, c + cOffset, a + aOffset, b + bOffset, m, n, k, transposeA, transposeB, accumulate,  \
        y + yOffset, bias + biasOffset, hasBias, epilogue, kind, alpha);                                                   \
}

CORTEX_GEMM_BLOCKED_KERNEL(gemm_blocked, 16, 4)
CORTEX_GEMM_BLOCKED_KERNEL(gemm_blocked_16x2, 16, 2)
CORTEX_GEMM_BLOCKED_KERNEL(gemm_blocked_8x8, 8, 8)
CORTEX_GEMM_BLOCKED_KERNEL(gemm_blocked_8x4, 8, 4)
