using System;
using System.Runtime.CompilerServices;

namespace Cortex.Kernels;

/// <summary>
/// The activation table of the lecture notes: one struct per activation, holding its forward and its
/// derivative side by side, twice — in double (the definition: the naive kernels, the gradient checks and
/// the tests read it) and over <see cref="ISimdOps{TV}"/> registers (what <see cref="ActivationKernels"/>
/// runs on every instruction set). <see cref="Visit{TVisitor}"/> is the one switch from an
/// <see cref="ActivationKind"/> to its struct. Adding an activation: a kind in <see cref="ActivationKind"/>,
/// a struct here, a case in <see cref="Visit{TVisitor}"/> (see docs/adding-an-activation.md).
/// </summary>
/// <remarks>
/// Softmax mixes a row, so it is not an <see cref="IElementwise"/>; its row kernels and its double
/// definition sit together in <see cref="Softmax"/>.
/// </remarks>
internal static class ActivationFunctions
{
    /// <summary>An element-wise activation: y = f(z), and dz = f′(z)·dy given z and y.</summary>
    internal interface IElementwise
    {
        /// <summary>f(x) in double: the definition.</summary>
        /// <param name="x">Input.</param>
        double Forward(double x);

        /// <summary>f′(x) in double, given x and y = f(x) (whichever is cheaper and stable).</summary>
        /// <param name="x">Input.</param>
        /// <param name="y">f(x).</param>
        double Derivative(double x, double y);

        /// <summary>f(z) lane by lane.</summary>
        /// <param name="z">Pre-activations.</param>
        TV Forward<TO, TV>(TV z) where TO : struct, ISimdOps<TV> where TV : struct;

        /// <summary>dz = f′(z)·dy lane by lane, given z and y = f(z) from the forward pass.</summary>
        /// <param name="dy">Upstream gradient.</param>
        /// <param name="z">Pre-activations.</param>
        /// <param name="y">Outputs.</param>
        TV Backward<TO, TV>(TV dy, TV z, TV y) where TO : struct, ISimdOps<TV> where TV : struct;
    }

    /// <summary>What runs for an activation: the element-wise struct, or the softmax row kernels.</summary>
    internal interface IVisitor
    {
        /// <summary>Called with the struct of an element-wise activation (a struct, so the JIT specialises the caller's generic code on it).</summary>
        /// <param name="f">The activation.</param>
        void Elementwise<TF>(TF f) where TF : struct, IElementwise;

        /// <summary>Called for <see cref="ActivationKind.Softmax"/>.</summary>
        void Softmax();
    }

    /// <summary>The one switch from an activation's kind to its struct.</summary>
    /// <param name="activation">The activation (kind and parameter).</param>
    /// <param name="visitor">What to run with it.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Visit<TVisitor>(Activation activation, ref TVisitor visitor) where TVisitor : struct, IVisitor
    {
        switch (activation.Kind)
        {
            case ActivationKind.Linear: visitor.Elementwise(default(Linear)); return;
            case ActivationKind.BinaryStep: visitor.Elementwise(default(BinaryStep)); return;
            case ActivationKind.Sigmoid: visitor.Elementwise(default(Sigmoid)); return;
            case ActivationKind.Tanh: visitor.Elementwise(default(Tanh)); return;
            case ActivationKind.Relu: visitor.Elementwise(default(Relu)); return;
            case ActivationKind.Softplus: visitor.Elementwise(default(Softplus)); return;
            case ActivationKind.LeakyRelu: visitor.Elementwise(new LeakyRelu(activation.Alpha)); return;
            case ActivationKind.Elu: visitor.Elementwise(new Elu(activation.Alpha)); return;
            case ActivationKind.Swish: visitor.Elementwise(default(Swish)); return;
            case ActivationKind.Softmax: visitor.Softmax(); return;
            default: throw new ArgumentOutOfRangeException(nameof(activation), activation.Kind, "Unknown activation.");
        }
    }

    /// <summary>f(x) in double for one element (not defined for softmax, see <see cref="Softmax.Row"/>).</summary>
    /// <param name="activation">The activation.</param>
    /// <param name="x">Input.</param>
    public static double Forward(Activation activation, double x)
    {
        var scalar = new Scalar(x, 0, derivative: false);
        Visit(activation, ref scalar);
        return scalar.Result;
    }

    /// <summary>f′(x) in double for one element given x and y = f(x) (not defined for softmax).</summary>
    /// <param name="activation">The activation.</param>
    /// <param name="x">Input.</param>
    /// <param name="y">f(x).</param>
    public static double Derivative(Activation activation, double x, double y)
    {
        var scalar = new Scalar(x, y, derivative: true);
        Visit(activation, ref scalar);
        return scalar.Result;
    }

    /// <summary>f(x) = x; f′ = 1.</summary>
    internal readonly struct Linear : IElementwise
    {
        public double Forward(double x) => x;
        public double Derivative(double x, double y) => 1;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TV Forward<TO, TV>(TV z) where TO : struct, ISimdOps<TV> where TV : struct => z;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TV Backward<TO, TV>(TV dy, TV z, TV y) where TO : struct, ISimdOps<TV> where TV : struct => dy;
    }

    /// <summary>f(x) = 0 for x &lt; 0, 1 from 0 on (NaN too); f′ = 0 everywhere (undefined at 0; 0 by choice).</summary>
    internal readonly struct BinaryStep : IElementwise
    {
        public double Forward(double x) => x < 0 ? 0 : 1;
        public double Derivative(double x, double y) => 0;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TV Forward<TO, TV>(TV z) where TO : struct, ISimdOps<TV> where TV : struct
        {
            TO o = default;
            return o.Select(o.LessThan(z, o.Create(0f)), o.Create(0f), o.Create(1f));
        }
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TV Backward<TO, TV>(TV dy, TV z, TV y) where TO : struct, ISimdOps<TV> where TV : struct => default(TO).Create(0f);
    }

    /// <summary>f(x) = 1 / (1 + e^−x), computed stably; f′ = f(1 − f).</summary>
    internal readonly struct Sigmoid : IElementwise
    {
        public double Forward(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));
        public double Derivative(double x, double y) => y * (1 - y);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TV Forward<TO, TV>(TV z) where TO : struct, ISimdOps<TV> where TV : struct => VectorMath.Sigmoid<TO, TV>(z);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TV Backward<TO, TV>(TV dy, TV z, TV y) where TO : struct, ISimdOps<TV> where TV : struct
        {
            TO o = default;
            return o.Multiply(o.Multiply(dy, y), o.Subtract(o.Create(1f), y));
        }
    }

    /// <summary>f(x) = tanh x; f′ = 1 − f².</summary>
    internal readonly struct Tanh : IElementwise
    {
        public double Forward(double x) => Math.Tanh(x);
        public double Derivative(double x, double y) => 1 - y * y;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TV Forward<TO, TV>(TV z) where TO : struct, ISimdOps<TV> where TV : struct => VectorMath.Tanh<TO, TV>(z);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TV Backward<TO, TV>(TV dy, TV z, TV y) where TO : struct, ISimdOps<TV> where TV : struct
        {
            TO o = default;
            return o.Multiply(dy, o.Subtract(o.Create(1f), o.Multiply(y, y)));
        }
    }

    /// <summary>f(x) = max(x, 0), NaN kept; f′ = 1 for x &gt; 0, else 0 (undefined at 0; 0 by choice).</summary>
    internal readonly struct Relu : IElementwise
    {
        public double Forward(double x) => x < 0 ? 0 : x;
        public double Derivative(double x, double y) => x > 0 ? 1 : 0;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TV Forward<TO, TV>(TV z) where TO : struct, ISimdOps<TV> where TV : struct
        {
            TO o = default;
            TV zero = o.Create(0f);
            return o.Select(o.LessThan(z, zero), zero, z);
        }
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TV Backward<TO, TV>(TV dy, TV z, TV y) where TO : struct, ISimdOps<TV> where TV : struct
        {
            TO o = default;
            TV zero = o.Create(0f);
            return o.Select(o.GreaterThan(z, zero), dy, zero);
        }
    }

    /// <summary>f(x) = ln(1 + eˣ) = max(x, 0) + ln(1 + e^−|x|), computed stably; f′ = σ(x).</summary>
    internal readonly struct Softplus : IElementwise
    {
        public double Forward(double x) => Math.Max(x, 0) + Log1P(Math.Exp(-Math.Abs(x)));
        public double Derivative(double x, double y) => default(Sigmoid).Forward(x);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TV Forward<TO, TV>(TV z) where TO : struct, ISimdOps<TV> where TV : struct => VectorMath.Softplus<TO, TV>(z);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TV Backward<TO, TV>(TV dy, TV z, TV y) where TO : struct, ISimdOps<TV> where TV : struct =>
            default(TO).Multiply(dy, VectorMath.Sigmoid<TO, TV>(z));
    }

    /// <summary>f(x) = x for x ≥ 0, αx below (0 ≤ α &lt; 1, so f = max(x, αx)); f′ = 1 for x ≥ 0 (the notes), else α.</summary>
    internal readonly struct LeakyRelu : IElementwise
    {
        private readonly float _alpha;

        public LeakyRelu(float alpha) => _alpha = alpha;

        public double Forward(double x) => x >= 0 ? x : _alpha * x;
        public double Derivative(double x, double y) => x >= 0 ? 1 : _alpha;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TV Forward<TO, TV>(TV z) where TO : struct, ISimdOps<TV> where TV : struct
        {
            TO o = default;
            return o.Select(o.LessThan(z, o.Create(0f)), o.Multiply(z, o.Create(_alpha)), z);
        }
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TV Backward<TO, TV>(TV dy, TV z, TV y) where TO : struct, ISimdOps<TV> where TV : struct
        {
            TO o = default;
            return o.Select(o.GreaterThanOrEqual(z, o.Create(0f)), dy, o.Multiply(o.Create(_alpha), dy));
        }
    }

    /// <summary>f(x) = x for x &gt; 0, α(eˣ − 1) otherwise; f′ = 1 for x &gt; 0, else αeˣ = f + α (α at 0).</summary>
    internal readonly struct Elu : IElementwise
    {
        private readonly float _alpha;

        public Elu(float alpha) => _alpha = alpha;

        public double Forward(double x) => x > 0 ? x : _alpha * (Math.Exp(x) - 1);
        public double Derivative(double x, double y) => x > 0 ? 1 : y + _alpha;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TV Forward<TO, TV>(TV z) where TO : struct, ISimdOps<TV> where TV : struct => VectorMath.Elu<TO, TV>(z, default(TO).Create(_alpha));
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TV Backward<TO, TV>(TV dy, TV z, TV y) where TO : struct, ISimdOps<TV> where TV : struct
        {
            TO o = default;
            return o.Select(o.GreaterThan(z, o.Create(0f)), dy, o.Multiply(dy, o.Add(y, o.Create(_alpha))));
        }
    }

    /// <summary>
    /// Swish (SiLU): f(x) = x·σ(x); f′ = σ(x) + x·σ(x)(1 − σ(x)) = σ(x)·(1 + x(1 − σ(x))), the last form because it
    /// stays accurate near the minimum at x ≈ −1.28, where f′ crosses 0. Below −87, where σ rounds to 0 in float,
    /// both are 0 (so −∞ gives the limits instead of ∞·0).
    /// </summary>
    internal readonly struct Swish : IElementwise
    {
        public double Forward(double x)
        {
            double s = default(Sigmoid).Forward(x);
            return s == 0 ? 0 : x * s;
        }

        public double Derivative(double x, double y)
        {
            double s = default(Sigmoid).Forward(x);
            return s == 0 ? 0 : s * (1 + x * (1 - s));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TV Forward<TO, TV>(TV z) where TO : struct, ISimdOps<TV> where TV : struct
        {
            TO o = default;
            TV s = VectorMath.Sigmoid<TO, TV>(z);
            return o.Select(o.LessThan(z, o.Create(VectorMath.ExpFloor)), o.Create(0f), o.Multiply(z, s));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TV Backward<TO, TV>(TV dy, TV z, TV y) where TO : struct, ISimdOps<TV> where TV : struct
        {
            TO o = default;
            TV one = o.Create(1f);
            TV s = VectorMath.Sigmoid<TO, TV>(z);
            TV d = o.Multiply(s, o.MultiplyAdd(z, o.Subtract(one, s), one));
            return o.Select(o.LessThan(z, o.Create(VectorMath.ExpFloor)), o.Create(0f), o.Multiply(dy, d));
        }
    }

    /// <summary>
    /// Row-wise softmax, y_i = e^{z_i − max z} / Σ_j e^{z_j − max z}, and its vector-Jacobian product
    /// dz_i = y_i (dy_i − Σ_j dy_j y_j): the double definition and the register kernels of one row.
    /// </summary>
    internal static class Softmax
    {
        /// <summary>One row in double, with the row maximum subtracted first: the definition.</summary>
        /// <param name="y">Output row.</param>
        /// <param name="x">Input row.</param>
        public static void Row(Span<double> y, ReadOnlySpan<double> x)
        {
            if (y.Length != x.Length) throw new ArgumentException($"y has {y.Length} values but x has {x.Length}.", nameof(y));
            double max = double.NegativeInfinity;
            foreach (double v in x) max = Math.Max(max, v);
            double sum = 0;
            for (int i = 0; i < x.Length; i++) { y[i] = Math.Exp(x[i] - max); sum += y[i]; }
            for (int i = 0; i < x.Length; i++) y[i] /= sum;
        }

        // The maximum is exact in any order; the sum is taken in a fixed order per instruction set (register
        // lanes, then the tail left to right). A NaN in z gives a NaN difference, so a NaN sum and a NaN row,
        // as in the reference.
        [MethodImpl(JitHints.HotLoop)]
        public static unsafe void ForwardRow<TO, TV, TN, TW, TS>(float* y, float* z, int n)
            where TO : struct, ISimdOps<TV> where TV : struct
            where TN : struct, ISimdOps<TW> where TW : struct
            where TS : struct, ISimdOps<float>
        {
            TO o = default;
            TN on = default;
            int w = o.Count, wn = on.Count, j = 0;
            float max = float.NegativeInfinity;
            if (n >= w)
            {
                TV m = o.Load(z);
                for (j = w; j <= n - w; j += w) m = o.Max(m, o.Load(z + j));
                max = o.MaxAcross(m);
            }
            for (; j < n; j++) max = z[j] > max ? z[j] : max;

            float sum = 0f;
            j = 0;
            if (n >= w)
            {
                TV vmax = o.Create(max), acc = o.Create(0f);
                for (; j <= n - w; j += w)
                {
                    TV e = ExpOfDifference<TO, TV>(o.Load(z + j), vmax);
                    o.Store(y + j, e);
                    acc = o.Add(acc, e);
                }
                sum = o.Sum(acc);
            }
            if (typeof(TN) != typeof(TO) && n - j >= wn)
            {
                TW vmax = on.Create(max);
                TW e = ExpOfDifference<TN, TW>(on.Load(z + j), vmax);
                on.Store(y + j, e);
                sum += on.Sum(e);
                j += wn;
            }
            for (; j < n; j++)
            {
                float e = ExpOfDifference<TS, float>(z[j], max);
                y[j] = e;
                sum += e;
            }

            j = 0;
            TV vsum = o.Create(sum);
            for (; j <= n - w; j += w) o.Store(y + j, o.Divide(o.Load(y + j), vsum));
            for (; j < n; j++) y[j] /= sum;
        }

        // s = Σ dy·y (lanes, then the tail), dz = y·(dy − s).
        [MethodImpl(JitHints.HotLoop)]
        public static unsafe void BackwardRow<TO, TV>(float* dZ, float* dY, float* y, int n) where TO : struct, ISimdOps<TV> where TV : struct
        {
            TO o = default;
            int w = o.Count, j = 0;
            float s = 0f;
            if (n >= w)
            {
                TV acc = o.Create(0f);
                for (; j <= n - w; j += w) acc = o.Add(acc, o.Multiply(o.Load(dY + j), o.Load(y + j)));
                s = o.Sum(acc);
            }
            for (; j < n; j++) s += dY[j] * y[j];
            TV vs = o.Create(s);
            for (j = 0; j <= n - w; j += w) o.Store(dZ + j, o.Multiply(o.Load(y + j), o.Subtract(o.Load(dY + j), vs)));
            for (; j < n; j++) dZ[j] = y[j] * (dY[j] - s);
        }

        // exp(z − max) with NaN kept (the difference is ≤ 0 unless something is NaN).
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static TV ExpOfDifference<TO, TV>(TV z, TV max) where TO : struct, ISimdOps<TV> where TV : struct
        {
            TO o = default;
            TV d = o.Subtract(z, max);
            return o.Select(o.IsNumber(d), VectorMath.Exp<TO, TV>(d), d);
        }
    }

    /// <summary>ln(1 + x), accurate for small x.</summary>
    /// <param name="x">Input, &gt; −1.</param>
    internal static double Log1P(double x)
    {
        double u = 1 + x;
        return u == 1 ? x : Math.Log(u) * x / (u - 1);
    }

    // Evaluates the double definition of one element.
    private struct Scalar : IVisitor
    {
        private readonly double _x, _y;
        private readonly bool _derivative;

        public Scalar(double x, double y, bool derivative)
        {
            _x = x;
            _y = y;
            _derivative = derivative;
            Result = 0;
        }

        public double Result { get; private set; }

        public void Elementwise<TF>(TF f) where TF : struct, IElementwise => Result = _derivative ? f.Derivative(_x, _y) : f.Forward(_x);

        public void Softmax() => throw new InvalidOperationException("Softmax is row-wise; use ActivationFunctions.Softmax.Row.");
    }
}
