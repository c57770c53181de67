using System;

namespace Cortex;

/// <summary>The activation functions of the lecture notes' table, plus softmax.</summary>
public enum ActivationKind : byte
{
    /// <summary>f(x) = x.</summary>
    Linear = 0,
    /// <summary>f(x) = 0 for x &lt; 0, 1 for x ≥ 0; derivative taken as 0 everywhere (also at 0).</summary>
    BinaryStep = 1,
    /// <summary>f(x) = 1 / (1 + e^−x).</summary>
    Sigmoid = 2,
    /// <summary>f(x) = tanh x.</summary>
    Tanh = 3,
    /// <summary>f(x) = max(0, x); derivative taken as 0 at x = 0.</summary>
    Relu = 4,
    /// <summary>f(x) = ln(1 + e^x).</summary>
    Softplus = 5,
    /// <summary>f(x) = αx for x &lt; 0, x for x ≥ 0 (α the slope, 0.01 by default); derivative 1 at x = 0.</summary>
    LeakyRelu = 6,
    /// <summary>f(x) = α(e^x − 1) for x ≤ 0, x for x &gt; 0 (α = 1 by default); derivative α at x = 0.</summary>
    Elu = 7,
    /// <summary>Row-wise softmax: f(x)_i = e^{x_i} / Σ_j e^{x_j}.</summary>
    Softmax = 8,
}

/// <summary>
/// An activation function and its parameter: what a layer applies to z = W y + b. The scalar
/// <see cref="Forward(double)"/> / <see cref="Derivative(double, double)"/> pairs below are the notes'
/// table and the definition the vectorised kernels are tested against.
/// </summary>
public readonly struct Activation : IEquatable<Activation>
{
    /// <summary>Default slope of leaky ReLU for x &lt; 0.</summary>
    public const float DefaultLeakySlope = 0.01f;

    /// <summary>Default α of ELU.</summary>
    public const float DefaultEluAlpha = 1f;

    /// <summary>Largest ELU α accepted: α is in (0, 100]. (The leaky ReLU slope is in [0, 1).)</summary>
    public const float MaxEluAlpha = 100f;

    private Activation(ActivationKind kind, float alpha)
    {
        Kind = kind;
        Alpha = alpha;
    }

    /// <summary>Which function.</summary>
    public ActivationKind Kind { get; }

    /// <summary>The slope for <see cref="ActivationKind.LeakyRelu"/>, α for <see cref="ActivationKind.Elu"/>, else 0.</summary>
    public float Alpha { get; }

    /// <summary>f(x) = x.</summary>
    public static Activation Linear => new(ActivationKind.Linear, 0f);

    /// <summary>Heaviside step: 0 below 0, 1 from 0 on. Its gradient is 0 everywhere, so nothing learns through it.</summary>
    public static Activation BinaryStep => new(ActivationKind.BinaryStep, 0f);

    /// <summary>Logistic sigmoid, computed the stable way.</summary>
    public static Activation Sigmoid => new(ActivationKind.Sigmoid, 0f);

    /// <summary>Hyperbolic tangent.</summary>
    public static Activation Tanh => new(ActivationKind.Tanh, 0f);

    /// <summary>Rectified linear unit.</summary>
    public static Activation Relu => new(ActivationKind.Relu, 0f);

    /// <summary>Softplus ln(1 + e^x), computed as max(x, 0) + ln(1 + e^−|x|).</summary>
    public static Activation Softplus => new(ActivationKind.Softplus, 0f);

    /// <summary>Leaky ReLU with slope 0.01.</summary>
    public static Activation LeakyRelu => new(ActivationKind.LeakyRelu, DefaultLeakySlope);

    /// <summary>ELU with α = 1.</summary>
    public static Activation Elu => new(ActivationKind.Elu, DefaultEluAlpha);

    /// <summary>Row-wise softmax, computed with the row maximum subtracted.</summary>
    public static Activation Softmax => new(ActivationKind.Softmax, 0f);

    /// <summary>Leaky ReLU with a chosen slope for x &lt; 0.</summary>
    /// <param name="slope">Slope below zero; finite, 0 ≤ slope &lt; 1.</param>
    public static Activation LeakyReluWithSlope(float slope)
    {
        if (!(slope >= 0f && slope < 1f)) throw new ArgumentOutOfRangeException(nameof(slope), slope, "The leaky ReLU slope must lie in [0, 1).");
        return new Activation(ActivationKind.LeakyRelu, slope);
    }

    /// <summary>ELU with a chosen α.</summary>
    /// <param name="alpha">α in (0, <see cref="MaxEluAlpha"/>].</param>
    public static Activation EluWithAlpha(float alpha)
    {
        if (!(alpha > 0f && alpha <= MaxEluAlpha)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, $"ELU's alpha must lie in (0, {MaxEluAlpha}].");
        return new Activation(ActivationKind.Elu, alpha);
    }

    /// <summary>Builds an activation from its kind and parameter (as stored in a brain file); validates both.</summary>
    /// <param name="kind">The function.</param>
    /// <param name="alpha">Its parameter; ignored (must be 0) for kinds without one.</param>
    public static Activation FromKind(ActivationKind kind, float alpha) => kind switch
    {
        ActivationKind.LeakyRelu => LeakyReluWithSlope(alpha),
        ActivationKind.Elu => EluWithAlpha(alpha),
        ActivationKind.Linear or ActivationKind.BinaryStep or ActivationKind.Sigmoid or ActivationKind.Tanh
            or ActivationKind.Relu or ActivationKind.Softplus or ActivationKind.Softmax => new Activation(kind, 0f),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown activation kind."),
    };

    /// <summary>True for softmax, whose value at one element depends on its whole row.</summary>
    public bool IsRowWise => Kind == ActivationKind.Softmax;

    // The notes' table. Each derivative sits beside its forward and may use x, the output y, or both.

    /// <summary>f(x) for one element (not defined for softmax, which needs a row).</summary>
    /// <param name="x">Input.</param>
    public double Forward(double x)
    {
        double a = Alpha;
        switch (Kind)
        {
            case ActivationKind.Linear: return x;
            case ActivationKind.BinaryStep: return x < 0 ? 0 : 1;
            case ActivationKind.Sigmoid: return x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));
            case ActivationKind.Tanh: return Math.Tanh(x);
            case ActivationKind.Relu: return x > 0 ? x : 0;
            case ActivationKind.Softplus: return Math.Max(x, 0) + Log1P(Math.Exp(-Math.Abs(x)));
            case ActivationKind.LeakyRelu: return x >= 0 ? x : a * x;
            case ActivationKind.Elu: return x > 0 ? x : a * (Math.Exp(x) - 1);
            default: throw new InvalidOperationException("Softmax is row-wise; use SoftmaxRow.");
        }
    }

    /// <summary>f′(x) for one element given x and y = f(x) (not defined for softmax).</summary>
    /// <param name="x">Input.</param>
    /// <param name="y">f(x).</param>
    public double Derivative(double x, double y)
    {
        double a = Alpha;
        switch (Kind)
        {
            case ActivationKind.Linear: return 1;
            case ActivationKind.BinaryStep: return 0;                       // undefined at 0; 0 everywhere by choice
            case ActivationKind.Sigmoid: return y * (1 - y);                 // f(x)(1 − f(x))
            case ActivationKind.Tanh: return 1 - y * y;                      // 1 − f(x)²
            case ActivationKind.Relu: return x > 0 ? 1 : 0;                  // undefined at 0; 0 by choice
            case ActivationKind.Softplus: return new Activation(ActivationKind.Sigmoid, 0).Forward(x); // 1/(1 + e^−x)
            case ActivationKind.LeakyRelu: return x >= 0 ? 1 : a;            // the notes: 1 for x ≥ 0
            case ActivationKind.Elu: return x > 0 ? 1 : y + a;               // α e^x = f(x) + α; α at 0
            default: throw new InvalidOperationException("Softmax is row-wise; use SoftmaxRow.");
        }
    }

    /// <summary>Softmax of one row in double precision, with the row maximum subtracted first.</summary>
    /// <param name="y">Output row.</param>
    /// <param name="x">Input row.</param>
    public static void SoftmaxRow(Span<double> y, ReadOnlySpan<double> x)
    {
        if (y.Length != x.Length) throw new ArgumentException($"y has {y.Length} values but x has {x.Length}.", nameof(y));
        double max = double.NegativeInfinity;
        foreach (double v in x) max = Math.Max(max, v);
        double sum = 0;
        for (int i = 0; i < x.Length; i++) { y[i] = Math.Exp(x[i] - max); sum += y[i]; }
        for (int i = 0; i < x.Length; i++) y[i] /= sum;
    }

    /// <summary>ln(1 + x), accurate for small x.</summary>
    internal static double Log1P(double x)
    {
        double u = 1 + x;
        return u == 1 ? x : Math.Log(u) * x / (u - 1);
    }

    /// <summary>True when both have the same kind and parameter.</summary>
    /// <param name="other">The other activation.</param>
    public bool Equals(Activation other) => Kind == other.Kind && Alpha.Equals(other.Alpha);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Activation other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Kind, Alpha);

    /// <summary>Equality of kind and parameter.</summary>
    /// <param name="left">One activation.</param>
    /// <param name="right">The other.</param>
    public static bool operator ==(Activation left, Activation right) => left.Equals(right);

    /// <summary>Inequality of kind or parameter.</summary>
    /// <param name="left">One activation.</param>
    /// <param name="right">The other.</param>
    public static bool operator !=(Activation left, Activation right) => !left.Equals(right);

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        ActivationKind.LeakyRelu => $"LeakyRelu({Alpha})",
        ActivationKind.Elu => $"Elu({Alpha})",
        _ => Kind.ToString(),
    };
}
