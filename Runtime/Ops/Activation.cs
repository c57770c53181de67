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
    /// <summary>Swish / SiLU: f(x) = x·σ(x) = x / (1 + e^−x), smooth, unbounded above, with a minimum of about −0.28 at x ≈ −1.28.</summary>
    Swish = 9,
}

/// <summary>
/// An activation function and its parameter: what a layer applies to z = W y + b. This is the vocabulary
/// (kind, parameter, validation); each function's forward and derivative live together in one struct of
/// <c>Cortex.Kernels.ActivationFunctions</c>.
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

    /// <summary>Swish, also called SiLU: x·σ(x) (what ML-Agents' encoders use).</summary>
    public static Activation Swish => new(ActivationKind.Swish, 0f);

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
        _ when IsDefined(kind) => new Activation(kind, 0f),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown activation kind."),
    };

    /// <summary>True for the kinds this version knows (brain files and backends check stored kinds with it).</summary>
    /// <param name="kind">A kind, possibly read from a file.</param>
    internal static bool IsDefined(ActivationKind kind) => kind is ActivationKind.Linear or ActivationKind.BinaryStep or ActivationKind.Sigmoid
        or ActivationKind.Tanh or ActivationKind.Relu or ActivationKind.Softplus or ActivationKind.LeakyRelu or ActivationKind.Elu
        or ActivationKind.Softmax or ActivationKind.Swish;

    /// <summary>True for softmax, whose value at one element depends on its whole row.</summary>
    public bool IsRowWise => Kind == ActivationKind.Softmax;

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
