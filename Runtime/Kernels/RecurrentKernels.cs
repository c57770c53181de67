using System;
using System.Runtime.CompilerServices;

namespace Cortex.Kernels;

/// <summary>
/// The element-wise part of a GRU step (the matrix products are ordinary GEMMs), forward and backward side by side.
/// Gate blocks of a row of width 3H are in ONNX order: update u (ONNX z), reset r, candidate n (ONNX h). The
/// formulation is the one with the reset gate applied after the recurrent product (cuDNN, ONNX
/// <c>linear_before_reset = 1</c>): n = tanh(gx_n + r ⊙ gh_n) where gh = h·Uᵀ + b_h.
/// </summary>
/// <remarks>
/// Both passes run in the widest registers the machine has, then narrower ones, then one float at a time for the rest of
/// a row (one <see cref="SimdDispatch"/> picks them, as for the activation kernels), with σ and tanh from the vectorised
/// functions the dense layers use (<c>VectorMath</c>, a few ulp from the double definitions). Every operation is lane-wise
/// and the tail uses the same kind of multiply-add as the body, so an element's value does not depend on where in the row
/// it sits. The products and sums outside σ and tanh are separate multiplies and adds in the order of the formulas, so the
/// backward pass equals its scalar twin (<c>RecurrentKernelsNaive</c>) bit for bit.
/// </remarks>
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
        GruGatesForwardOn(GemmIsas.Best, hNext, gates, gx, gh, h, rows, hidden);
    }

    /// <summary><see cref="GruGatesForward"/> on a chosen instruction set (validated by the caller; tests run every one).</summary>
    [MethodImpl(JitHints.HotLoop)]
    internal static unsafe void GruGatesForwardOn(GemmIsa isa, Span<float> hNext, Span<float> gates, ReadOnlySpan<float> gx, ReadOnlySpan<float> gh,
        ReadOnlySpan<float> h, int rows, int hidden)
    {
        if (!GemmIsas.IsSupported(isa)) throw new ArgumentOutOfRangeException(nameof(isa), isa, "This instruction set is not available here.");
        if (rows == 0 || hidden == 0) return;
        fixed (float* pHNext = hNext)
        fixed (float* pGates = gates)
        fixed (float* pGx = gx)
        fixed (float* pGh = gh)
        fixed (float* pH = h)
        {
            var kernel = new ForwardKernel(pHNext, pGates, pGx, pGh, pH, rows, hidden);
            SimdDispatch.Run(isa, ref kernel);
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
        CheckGruBackward(dGx.Length, dGh.Length, dH.Length, dHNext.Length, gates.Length, gh.Length, h.Length, rows, hidden);
        GruGatesBackwardOn(GemmIsas.Best, dGx, dGh, dH, dHNext, gates, gh, h, rows, hidden);
    }

    /// <summary><see cref="GruGatesBackward"/> on a chosen instruction set (validated by the caller; tests run every one).</summary>
    [MethodImpl(JitHints.HotLoop)]
    internal static unsafe void GruGatesBackwardOn(GemmIsa isa, Span<float> dGx, Span<float> dGh, Span<float> dH, ReadOnlySpan<float> dHNext,
        ReadOnlySpan<float> gates, ReadOnlySpan<float> gh, ReadOnlySpan<float> h, int rows, int hidden)
    {
        if (!GemmIsas.IsSupported(isa)) throw new ArgumentOutOfRangeException(nameof(isa), isa, "This instruction set is not available here.");
        if (rows == 0 || hidden == 0) return;
        fixed (float* pDGx = dGx)
        fixed (float* pDGh = dGh)
        fixed (float* pDH = dH)
        fixed (float* pDHNext = dHNext)
        fixed (float* pGates = gates)
        fixed (float* pGh = gh)
        fixed (float* pH = h)
        {
            var kernel = new BackwardKernel(pDGx, pDGh, pDH, pDHNext, pGates, pGh, pH, rows, hidden);
            SimdDispatch.Run(isa, ref kernel);
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

    internal static void CheckGruBackward(int dGx, int dGh, int dH, int dHNext, int gates, int gh, int h, int rows, int hidden)
    {
        CheckGru(dH, nameof(dH), gates, nameof(gates), dGx, nameof(dGx), gh, nameof(gh), h, nameof(h), rows, hidden);
        Check.Matrix(dGh, rows, 3 * hidden, nameof(dGh));
        Check.Matrix(dHNext, rows, hidden, nameof(dHNext));
    }

    // Row by row: widest registers, then narrower ones with the same kind of multiply-add, then one float at a time.
    private readonly unsafe struct ForwardKernel : ISimdKernel
    {
        private readonly float* _hNext, _gates, _gx, _gh, _h;
        private readonly int _rows, _hidden;

        public ForwardKernel(float* hNext, float* gates, float* gx, float* gh, float* h, int rows, int hidden)
        {
            _hNext = hNext;
            _gates = gates;
            _gx = gx;
            _gh = gh;
            _h = h;
            _rows = rows;
            _hidden = hidden;
        }

        [MethodImpl(JitHints.KernelRoot)]
        public void Run<TO, TV, TN, TW, TS>()
            where TO : struct, ISimdOps<TV> where TV : struct
            where TN : struct, ISimdOps<TW> where TW : struct
            where TS : struct, ISimdOps<float>
        {
            int hidden = _hidden;
            for (int b = 0; b < _rows; b++)
            {
                nint g = (nint)b * 3 * hidden, s = (nint)b * hidden;
                float* hNext = _hNext + s, h = _h + s, gates = _gates + g, gx = _gx + g, gh = _gh + g;
                int j = Apply<TO, TV>(hNext, gates, gx, gh, h, 0, hidden);
                if (typeof(TN) != typeof(TO)) j = Apply<TN, TW>(hNext, gates, gx, gh, h, j, hidden);
                Apply<TS, float>(hNext, gates, gx, gh, h, j, hidden);
            }
        }

        // One row from j for every whole register; returns where it stopped.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static int Apply<TO, TV>(float* hNext, float* gates, float* gx, float* gh, float* h, int j, int hidden)
            where TO : struct, ISimdOps<TV> where TV : struct
        {
            TO o = default;
            int w = o.Count;
            TV one = o.Create(1f);
            for (; j <= hidden - w; j += w)
            {
                TV u = VectorMath.Sigmoid<TO, TV>(o.Add(o.Load(gx + j), o.Load(gh + j)));                                   // u = σ(gx_u + gh_u)
                TV r = VectorMath.Sigmoid<TO, TV>(o.Add(o.Load(gx + hidden + j), o.Load(gh + hidden + j)));                 // r = σ(gx_r + gh_r)
                TV n = VectorMath.Tanh<TO, TV>(o.Add(o.Load(gx + 2 * hidden + j), o.Multiply(r, o.Load(gh + 2 * hidden + j)))); // n = tanh(gx_n + r·gh_n)
                TV hp = o.Load(h + j);
                o.Store(gates + j, u);
                o.Store(gates + hidden + j, r);
                o.Store(gates + 2 * hidden + j, n);
                o.Store(hNext + j, o.Add(o.Multiply(o.Subtract(one, u), n), o.Multiply(u, hp)));                          // h′ = (1 − u)·n + u·h
            }
            return j;
        }
    }

    // The backward pass in the same register order as ForwardKernel.
    private readonly unsafe struct BackwardKernel : ISimdKernel
    {
        private readonly float* _dGx, _dGh, _dH, _dHNext, _gates, _gh, _h;
        private readonly int _rows, _hidden;

        public BackwardKernel(float* dGx, float* dGh, float* dH, float* dHNext, float* gates, float* gh, float* h, int rows, int hidden)
        {
            _dGx = dGx;
            _dGh = dGh;
            _dH = dH;
            _dHNext = dHNext;
            _gates = gates;
            _gh = gh;
            _h = h;
            _rows = rows;
            _hidden = hidden;
        }

        [MethodImpl(JitHints.KernelRoot)]
        public void Run<TO, TV, TN, TW, TS>()
            where TO : struct, ISimdOps<TV> where TV : struct
            where TN : struct, ISimdOps<TW> where TW : struct
            where TS : struct, ISimdOps<float>
        {
            int hidden = _hidden;
            for (int b = 0; b < _rows; b++)
            {
                nint g = (nint)b * 3 * hidden, s = (nint)b * hidden;
                float* dGx = _dGx + g, dGh = _dGh + g, gates = _gates + g, gh = _gh + g, dH = _dH + s, dHNext = _dHNext + s, h = _h + s;
                int j = Derive<TO, TV>(dGx, dGh, dH, dHNext, gates, gh, h, 0, hidden);
                if (typeof(TN) != typeof(TO)) j = Derive<TN, TW>(dGx, dGh, dH, dHNext, gates, gh, h, j, hidden);
                Derive<TS, float>(dGx, dGh, dH, dHNext, gates, gh, h, j, hidden);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static int Derive<TO, TV>(float* dGx, float* dGh, float* dH, float* dHNext, float* gates, float* gh, float* h, int j, int hidden)
            where TO : struct, ISimdOps<TV> where TV : struct
        {
            TO o = default;
            int w = o.Count;
            TV one = o.Create(1f);
            for (; j <= hidden - w; j += w)
            {
                TV u = o.Load(gates + j), r = o.Load(gates + hidden + j), n = o.Load(gates + 2 * hidden + j);
                TV d = o.Load(dHNext + j);
                TV dn = o.Multiply(d, o.Subtract(one, u));                                              // dn = dh′(1 − u)
                TV du = o.Multiply(d, o.Subtract(o.Load(h + j), n));                                    // du = dh′(h − n)
                TV an = o.Multiply(dn, o.Subtract(one, o.Multiply(n, n)));                              // da_n = dn(1 − n²)
                TV ar = o.Multiply(o.Multiply(an, o.Load(gh + 2 * hidden + j)), o.Multiply(r, o.Subtract(one, r))); // da_r = da_n·gh_n·r(1 − r)
                TV au = o.Multiply(du, o.Multiply(u, o.Subtract(one, u)));                              // da_u = du·u(1 − u)
                o.Store(dGx + j, au);
                o.Store(dGx + hidden + j, ar);
                o.Store(dGx + 2 * hidden + j, an);
                o.Store(dGh + j, au);
                o.Store(dGh + hidden + j, ar);
                o.Store(dGh + 2 * hidden + j, o.Multiply(an, r));
                o.Store(dH + j, o.Add(o.Load(dH + j), o.Multiply(d, u)));                               // dh += dh′·u
            }
            return j;
        }
    }
}
