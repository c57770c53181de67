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

// Register-blocked: a (16 x 16) work-group computes a (64 x 64) tile of c, each work-item a 4 x 4
// block strided by 16 (so stores stay coalesced); k advances 16 at a time through local memory.
#define BLOCK_M 64
#define BLOCK_N 64
#define BLOCK_K 16
#define BLOCK_THREADS 16
#define BLOCK_WORK 4

__kernel __attribute__((reqd_work_group_size(BLOCK_THREADS, BLOCK_THREADS, 1)))
void gemm_blocked(__global float* c, int cOffset, __global const float* a, int aOffset, __global const float* b, int bOffset,
    int m, int n, int k, int transposeA, int transposeB, int accumulate,
    __global float* y, int yOffset, __global const float* bias, int biasOffset, int hasBias, int epilogue, int kind, float alpha)
{
    __local float as[BLOCK_K][BLOCK_M + 1];   // as[p][i] = op(a)[row0 + i][p0 + p]
    __local float bs[BLOCK_K][BLOCK_N + 1];   // bs[p][j] = op(b)[p0 + p][col0 + j]
    const int tx = get_local_id(0), ty = get_local_id(1), id = ty * BLOCK_THREADS + tx;
    const int row0 = get_group_id(1) * BLOCK_M, col0 = get_group_id(0) * BLOCK_N;
    a += aOffset;
    b += bOffset;
    c += cOffset;
    y += yOffset;
    bias += biasOffset;
    float acc[BLOCK_WORK][BLOCK_WORK];
    for (int wi = 0; wi < BLOCK_WORK; wi++)
        for (int wj = 0; wj < BLOCK_WORK; wj++) acc[wi][wj] = 0.0f;

    for (int p0 = 0; p0 < k; p0 += BLOCK_K)
    {
        // Each tile holds 64 x 16 = 1024 floats: four per work-item.
        for (int l = 0; l < 4; l++)
        {
            int e = id + l * BLOCK_THREADS * BLOCK_THREADS;
            int i, p, j, q;
            if (transposeA) { i = e % BLOCK_M; p = e / BLOCK_M; }         // a (k, m): contiguous along i
            else { p = e % BLOCK_K; i = e / BLOCK_K; }                    // a (m, k): contiguous along p
            as[p][i] = (row0 + i < m && p0 + p < k)
                ? (transposeA ? a[(p0 + p) * m + row0 + i] : a[(row0 + i) * k + p0 + p]) : 0.0f;
            if (transposeB) { q = e % BLOCK_K; j = e / BLOCK_K; }         // b (n, k): contiguous along p
            else { j = e % BLOCK_N; q = e / BLOCK_N; }                    // b (k, n): contiguous along j
            bs[q][j] = (col0 + j < n && p0 + q < k)
                ? (transposeB ? b[(col0 + j) * k + p0 + q] : b[(p0 + q) * n + col0 + j]) : 0.0f;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        int depth = min(BLOCK_K, k - p0);
        for (int p = 0; p < depth; p++)
        {
            float ar[BLOCK_WORK], br[BLOCK_WORK];
            for (int w = 0; w < BLOCK_WORK; w++)
            {
                ar[w] = as[p][ty + w * BLOCK_THREADS];
                br[w] = bs[p][tx + w * BLOCK_THREADS];
            }
            for (int wi = 0; wi < BLOCK_WORK; wi++)
                for (int wj = 0; wj < BLOCK_WORK; wj++) acc[wi][wj] = CORTEX_MULADD(ar[wi], br[wj], acc[wi][wj]);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    for (int wi = 0; wi < BLOCK_WORK; wi++)
    {
        int row = row0 + ty + wi * BLOCK_THREADS;
        if (row >= m) break;
        for (int wj = 0; wj < BLOCK_WORK; wj++)
        {
            int col = col0 + tx + wj * BLOCK_THREADS;
            if (col < n) cortex_gemm_store(c, y, bias, hasBias, epilogue, kind, alpha, accumulate, row, col, n, acc[wi][wj]);
        }
    }
}
