using System;

namespace Cortex.Kernels;

/// <summary>
/// The scalar twin of <see cref="RecurrentKernels"/>: the same formulas element by element with <see cref="MathF.Tanh"/>
/// and <see cref="ActivationKernels.Sigmoid"/>, written for clarity, not speed. Tests compare the vectorised kernels with
/// it (the forward within a few ulp, the backward, which has no transcendental functions, bit for bit). Span in, span out;
/// nothing allocates.
/// </summary>
internal static class RecurrentKernelsNaive
{
    /// <summary>u = σ(gx_u + gh_u), r = σ(gx_r + gh_r), n = tanh(gx_n + r ⊙ gh_n), h′ = (1 − u) ⊙ n + u ⊙ h; see <see cref="RecurrentKernels.GruGatesForward"/>.</summary>
    /// <param name="hNext">h′ (rows, hidden); may be the same memory as h.</param>
    /// <param name="gates">[u | r | n] (rows, 3·hidden).</param>
    /// <param name="gx">x·Wᵀ + b_x (rows, 3·hidden).</param>
    /// <param name="gh">h·Uᵀ + b_h (rows, 3·hidden).</param>
    /// <param name="h">h (rows, hidden).</param>
    /// <param name="rows">Batch size.</param>
    /// <param name="hidden">H.</param>
    public static void GruGatesForward(Span<float> hNext, Span<float> gates, ReadOnlySpan<float> gx, ReadOnlySpan<float> gh, ReadOnlySpan<float> h,
        int rows, int hidden)
    {
        RecurrentKernels.CheckGru(hNext.Length, nameof(hNext), gates.Length, nameof(gates), gx.Length, nameof(gx), gh.Length, nameof(gh), h.Length, nameof(h), rows, hidden);
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

    /// <summary>Backward of <see cref="GruGatesForward"/>; see <see cref="RecurrentKernels.GruGatesBackward"/>.</summary>
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
        RecurrentKernels.CheckGruBackward(dGx.Length, dGh.Length, dH.Length, dHNext.Length, gates.Length, gh.Length, h.Length, rows, hidden);
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
}
