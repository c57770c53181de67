using System;

namespace Cortex.Kernels;

/// <summary>
/// The element-wise part of a GRU step (the matrix products are ordinary GEMMs), forward and backward side by side.
/// Gate blocks of a row of width 3H are in ONNX order: update u (ONNX z), reset r, candidate n (ONNX h). The
/// formulation is the one with the reset gate applied after the recurrent product (cuDNN, ONNX
/// <c>linear_before_reset = 1</c>): n = tanh(gx_n + r ⊙ gh_n) where gh = h·Uᵀ + b_h.
/// </summary>
public static class RecurrentKernels
{
    /// <summary>
    /// u = σ(gx_u + gh_u), r = σ(gx_r + gh_r), n = tanh(gx_n + r ⊙ gh_n), h′ = (1 − u) ⊙ n + u ⊙ h.
    /// <paramref name="hNext"/> may be the same memory as <paramref name="h"/> (each element is read before it is written).
    /// </summary>
    /// <param name="hNext">h′ (rows, hidden).</param>
    /// <param name="gates">[u | r | n] (rows, 3·hidden), kept for the backward pass.</param>
    /// <param name="gx">x·Wᵀ + b_x (rows, 3·hidden).</param>
    /// <param name="gh">h·Uᵀ + b_h (rows, 3·hidden).</param>
    /// <param name="h">h (rows, hidden).</param>
    /// <param name="rows">Batch size.</param>
    /// <param name="hidden">H.</param>
    public static void GruGatesForward(Span<float> hNext, Span<float> gates, ReadOnlySpan<float> gx, ReadOnlySpan<float> gh, ReadOnlySpan<float> h,
        int rows, int hidden)
    {
        CheckGru(hNext.Length, nameof(hNext), gates.Length, nameof(gates), gx.Length, nameof(gx), gh.Length, nameof(gh), h.Length, nameof(h), rows, hidden);
        int w = 3 * hidden;
        for (int b = 0; b < rows; b++)
        {
            int g = b * w, s = b * hidden;
            for (int j = 0; j < hidden; j++)
            {
                float u = ActivationKernels.Sigmoid(gx[g + j] + gh[g + j]);
                float r = ActivationKernels.Sigmoid(gx[g + hidden + j] + gh[g + hidden + j]);
                float n = MathF.Tanh(gx[g + 2 * hidden + j] + r * gh[g + 2 * hidden + j]);
                float hp = h[s + j];
                gates[g + j] = u;
                gates[g + hidden + j] = r;
                gates[g + 2 * hidden + j] = n;
                hNext[s + j] = (1f - u) * n + u * hp;
            }
        }
    }

    /// <summary>
    /// Backward of <see cref="GruGatesForward"/> from dh′: dn = dh′ ⊙ (1 − u), du = dh′ ⊙ (h − n),
    /// da_n = dn ⊙ (1 − n²), da_r = da_n ⊙ gh_n ⊙ r(1 − r), da_u = du ⊙ u(1 − u);
    /// dgx = [da_u | da_r | da_n], dgh = [da_u | da_r | da_n ⊙ r], and dh += dh′ ⊙ u (the direct path; the caller adds dgh·U).
    /// </summary>
    /// <param name="dGx">dL/dgx (rows, 3·hidden), overwritten.</param>
    /// <param name="dGh">dL/dgh (rows, 3·hidden), overwritten.</param>
    /// <param name="dH">dL/dh (rows, hidden), accumulated into.</param>
    /// <param name="dHNext">dL/dh′ (rows, hidden).</param>
    /// <param name="gates">[u | r | n] from the forward pass.</param>
    /// <param name="gh">h·Uᵀ + b_h from the forward pass.</param>
    /// <param name="h">h (rows, hidden).</param>
    /// <param name="rows">Batch size.</param>
    /// <param name="hidden">H.</param>
    public static void GruGatesBackward(Span<float> dGx, Span<float> dGh, Span<float> dH, ReadOnlySpan<float> dHNext, ReadOnlySpan<float> gates,
        ReadOnlySpan<float> gh, ReadOnlySpan<float> h, int rows, int hidden)
    {
        CheckGru(dH.Length, nameof(dH), gates.Length, nameof(gates), dGx.Length, nameof(dGx), gh.Length, nameof(gh), h.Length, nameof(h), rows, hidden);
        Check.Matrix(dGh.Length, rows, 3 * hidden, nameof(dGh));
        Check.Matrix(dHNext.Length, rows, hidden, nameof(dHNext));
        int w = 3 * hidden;
        for (int b = 0; b < rows; b++)
        {
            int g = b * w, s = b * hidden;
            for (int j = 0; j < hidden; j++)
            {
                float u = gates[g + j], r = gates[g + hidden + j], n = gates[g + 2 * hidden + j];
                float d = dHNext[s + j];
                float dn = d * (1f - u);
                float du = d * (h[s + j] - n);
                float an = dn * (1f - n * n);
                float ar = an * gh[g + 2 * hidden + j] * (r * (1f - r));
                float au = du * (u * (1f - u));
                dGx[g + j] = au;
                dGx[g + hidden + j] = ar;
                dGx[g + 2 * hidden + j] = an;
                dGh[g + j] = au;
                dGh[g + hidden + j] = ar;
                dGh[g + 2 * hidden + j] = an * r;
                dH[s + j] += d * u;
            }
        }
    }

    internal static void CheckGru(int state, string stateName, int gates, string gatesName, int gx, string gxName, int gh, string ghName, int h, string hName,
        int rows, int hidden)
    {
        Check.Dimensions(rows, hidden);
        Check.Matrix(state, rows, hidden, stateName);
        Check.Matrix(gates, rows, 3 * hidden, gatesName);
        Check.Matrix(gx, rows, 3 * hidden, gxName);
        Check.Matrix(gh, rows, 3 * hidden, ghName);
        Check.Matrix(h, rows, hidden, hName);
    }
}
