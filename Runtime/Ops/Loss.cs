using System;

namespace Cortex;

/// <summary>The trainable losses. The 0-1 loss is not here: it has no gradient, see <see cref="Metrics"/>.</summary>
public enum LossKind : byte
{
    /// <summary>Mean over all elements of (y − c)².</summary>
    MeanSquaredError = 0,
    /// <summary>−(1/B) Σ_i Σ_k c_ik ln softmax(z_i)_k, on a softmax output layer; fused and stable.</summary>
    SoftmaxCrossEntropy = 1,
    /// <summary>−mean[c ln p + (1 − c) ln(1 − p)] with p = σ(z), on a sigmoid output layer; fused and stable.</summary>
    BinaryCrossEntropy = 2,
    /// <summary>Multi-class hinge (Weston–Watkins): (1/B) Σ_i Σ_{k≠t} max(0, 1 + y_k − y_t).</summary>
    Hinge = 3,
    /// <summary>Huber: ½r² for |r| ≤ δ, δ(|r| − ½δ) beyond, averaged over all elements.</summary>
    Huber = 4,
}

/// <summary>
/// A loss J(Θ) = L(h(X), C) and its gradient. Targets are always a dense (batch, outputs) array:
/// one-hot rows (or probabilities) for classification. <see cref="Reference"/> is the double-precision
/// definition the float kernels are checked against.
/// </summary>
/// <remarks>
/// Softmax cross-entropy and binary cross-entropy are fused with their output activation: they are
/// computed from the pre-activation z (log-softmax, softplus) so they stay finite for any logits, and
/// their gradient is taken with respect to z directly (p − c, scaled), skipping the activation's backward.
/// </remarks>
public readonly struct Loss : IEquatable<Loss>
{
    private Loss(LossKind kind, float delta)
    {
        Kind = kind;
        Delta = delta;
    }

    /// <summary>Which loss.</summary>
    public LossKind Kind { get; }

    /// <summary>δ of the Huber loss; 0 for the others.</summary>
    public float Delta { get; }

    /// <summary>Mean squared error over all elements (for one output, the notes' (1/n)‖h(X) − y‖²).</summary>
    public static Loss MeanSquaredError => new(LossKind.MeanSquaredError, 0f);

    /// <summary>Cross-entropy of a softmax output layer (the notes' classification cost), fused and stable.</summary>
    public static Loss SoftmaxCrossEntropy => new(LossKind.SoftmaxCrossEntropy, 0f);

    /// <summary>Binary cross-entropy of a sigmoid output layer (one independent yes/no per output), fused and stable.</summary>
    public static Loss BinaryCrossEntropy => new(LossKind.BinaryCrossEntropy, 0f);

    /// <summary>
    /// Multi-class hinge loss with margin 1; the true class of a row is the argmax of its target row.
    /// With a single output it is the binary hinge max(0, 1 − s·y) with s = +1 for targets ≥ 0.5, else −1.
    /// At a kink (margin exactly 0) the subgradient 0 is used.
    /// </summary>
    public static Loss Hinge => new(LossKind.Hinge, 0f);

    /// <summary>Largest Huber δ accepted: δ is in (0, 10⁶].</summary>
    public const float MaxHuberDelta = 1e6f;

    /// <summary>Huber loss with δ = 1 (smooth L1), as DQN uses.</summary>
    public static Loss Huber => new(LossKind.Huber, 1f);

    /// <summary>Huber loss with a chosen δ.</summary>
    /// <param name="delta">δ in (0, <see cref="MaxHuberDelta"/>].</param>
    public static Loss HuberWithDelta(float delta)
    {
        if (!(delta > 0f && delta <= MaxHuberDelta)) throw new ArgumentOutOfRangeException(nameof(delta), delta, $"Huber's delta must lie in (0, {MaxHuberDelta:G3}].");
        return new Loss(LossKind.Huber, delta);
    }

    /// <summary>Builds a loss from its kind and parameter (as stored in a brain file).</summary>
    /// <param name="kind">The loss.</param>
    /// <param name="delta">Huber's δ; ignored otherwise.</param>
    public static Loss FromKind(LossKind kind, float delta) => kind switch
    {
        LossKind.Huber => HuberWithDelta(delta),
        LossKind.MeanSquaredError or LossKind.SoftmaxCrossEntropy or LossKind.BinaryCrossEntropy or LossKind.Hinge => new Loss(kind, 0f),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown loss kind."),
    };

    /// <summary>
    /// True when the gradient is taken with respect to the output layer's pre-activation z
    /// (the fused cross-entropies) rather than its output y.
    /// </summary>
    public bool IsFused => Kind is LossKind.SoftmaxCrossEntropy or LossKind.BinaryCrossEntropy;

    /// <summary>The output activation a fused loss is fused with (softmax, sigmoid), or null when any output layer will do.</summary>
    public Activation? RequiredOutputActivation => Kind switch
    {
        LossKind.SoftmaxCrossEntropy => Activation.Softmax,
        LossKind.BinaryCrossEntropy => Activation.Sigmoid,
        _ => null,
    };

    /// <summary>Throws an <see cref="ArgumentException"/> when this loss cannot follow an output layer of that activation and width.</summary>
    /// <param name="outputActivation">The last layer's activation.</param>
    /// <param name="outputs">The last layer's width.</param>
    public void ValidateOutputLayer(Activation outputActivation, int outputs)
    {
        switch (Kind)
        {
            case LossKind.SoftmaxCrossEntropy:
                if (outputActivation.Kind != ActivationKind.Softmax)
                {
                    throw new ArgumentException(
                        $"SoftmaxCrossEntropy needs a Softmax output layer (it is fused with it), but the last layer uses {outputActivation}.", "loss");
                }
                if (outputs < 2) throw new ArgumentException($"SoftmaxCrossEntropy needs at least 2 outputs, but the last layer has {outputs}.", "loss");
                break;
            case LossKind.BinaryCrossEntropy:
                if (outputActivation.Kind != ActivationKind.Sigmoid)
                {
                    throw new ArgumentException(
                        $"BinaryCrossEntropy needs a Sigmoid output layer (it is fused with it), but the last layer uses {outputActivation}.", "loss");
                }
                break;
        }
    }

    /// <summary>
    /// The loss in double precision, the mean over rows: the definition the float kernels are tested against.
    /// <paramref name="input"/> is the output y for unfused losses and the pre-activation z for fused ones.
    /// </summary>
    /// <param name="input">(rows, columns): y, or z for the fused cross-entropies.</param>
    /// <param name="target">(rows, columns) targets.</param>
    /// <param name="rows">Batch size.</param>
    /// <param name="columns">Outputs per row.</param>
    public double Reference(ReadOnlySpan<double> input, ReadOnlySpan<double> target, int rows, int columns)
    {
        double total = 0;
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<double> x = input.Slice(r * columns, columns), c = target.Slice(r * columns, columns);
            switch (Kind)
            {
                case LossKind.MeanSquaredError:
                    for (int k = 0; k < columns; k++) total += (x[k] - c[k]) * (x[k] - c[k]) / columns;
                    break;
                case LossKind.SoftmaxCrossEntropy:
                    double max = double.NegativeInfinity, sum = 0;
                    for (int k = 0; k < columns; k++) max = Math.Max(max, x[k]);
                    for (int k = 0; k < columns; k++) sum += Math.Exp(x[k] - max);
                    double logSum = max + Math.Log(sum);
                    for (int k = 0; k < columns; k++) total -= c[k] * (x[k] - logSum);
                    break;
                case LossKind.BinaryCrossEntropy:
                    for (int k = 0; k < columns; k++) total += (Math.Max(x[k], 0) + Log1P(Math.Exp(-Math.Abs(x[k]))) - c[k] * x[k]) / columns;
                    break;
                case LossKind.Hinge:
                    if (columns == 1)
                    {
                        double s = c[0] >= 0.5 ? 1 : -1;
                        total += Math.Max(0, 1 - s * x[0]);
                        break;
                    }
                    int t = ArgMax(c);
                    for (int k = 0; k < columns; k++) if (k != t) total += Math.Max(0, 1 + x[k] - x[t]);
                    break;
                case LossKind.Huber:
                    for (int k = 0; k < columns; k++)
                    {
                        double a = Math.Abs(x[k] - c[k]);
                        total += (a <= Delta ? 0.5 * a * a : Delta * (a - 0.5 * Delta)) / columns;
                    }
                    break;
            }
        }
        return rows == 0 ? 0 : total / rows;
    }

    /// <summary>Index of the largest value; the first one on ties.</summary>
    internal static int ArgMax(ReadOnlySpan<double> values)
    {
        int best = 0;
        for (int k = 1; k < values.Length; k++) if (values[k] > values[best]) best = k;
        return best;
    }

    /// <summary>True when both have the same kind and parameter.</summary>
    /// <param name="other">The other loss.</param>
    public bool Equals(Loss other) => Kind == other.Kind && Delta.Equals(other.Delta);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Loss other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Kind, Delta);

    /// <summary>Equality of kind and parameter.</summary>
    /// <param name="left">One loss.</param>
    /// <param name="right">The other.</param>
    public static bool operator ==(Loss left, Loss right) => left.Equals(right);

    /// <summary>Inequality of kind or parameter.</summary>
    /// <param name="left">One loss.</param>
    /// <param name="right">The other.</param>
    public static bool operator !=(Loss left, Loss right) => !left.Equals(right);

    // ln(1 + x), accurate for small x.
    private static double Log1P(double x)
    {
        double u = 1 + x;
        return u == 1 ? x : Math.Log(u) * x / (u - 1);
    }

    /// <inheritdoc />
    public override string ToString() => Kind == LossKind.Huber ? $"Huber({Delta})" : Kind.ToString();
}
