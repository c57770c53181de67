using System;

namespace Cortex;

/// <summary>The update rules.</summary>
public enum OptimizerKind : byte
{
    /// <summary>Plain gradient descent Θ ← Θ − α∇J.</summary>
    GradientDescent = 0,
    /// <summary>Heavy-ball momentum: v ← μv + ∇J, Θ ← Θ − αv (or Nesterov's variant).</summary>
    Momentum = 1,
    /// <summary>Adam (Kingma &amp; Ba) with bias correction.</summary>
    Adam = 2,
}

/// <summary>
/// How a brain turns gradients into steps: the rule, its hyperparameters, optional global-norm
/// gradient clipping and weight decay. Immutable; the state it needs (moments, step count) lives in
/// the brain.
/// </summary>
public readonly struct Optimizer : IEquatable<Optimizer>
{
    /// <summary>Largest learning rate accepted: rates are in (0, 10].</summary>
    public const float MaxLearningRate = 10f;

    /// <summary>Largest Adam ε accepted: ε is in (0, 1].</summary>
    public const float MaxEpsilon = 1f;

    /// <summary>Largest decoupled weight decay accepted: decay is in [0, 1].</summary>
    public const float MaxWeightDecay = 1f;

    /// <summary>Largest gradient-clipping norm accepted: the norm is in (0, 10⁹].</summary>
    public const float MaxClippingNorm = 1e9f;

    private Optimizer(OptimizerKind kind, float learningRate, float momentum, bool nesterov, float beta1, float beta2,
        float epsilon, float weightDecay, float maxGradientNorm)
    {
        Kind = kind;
        LearningRate = learningRate;
        Momentum = momentum;
        Nesterov = nesterov;
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        WeightDecay = weightDecay;
        MaxGradientNorm = maxGradientNorm;
    }

    /// <summary>Which rule.</summary>
    public OptimizerKind Kind { get; }

    /// <summary>α, the step size.</summary>
    public float LearningRate { get; }

    /// <summary>μ of <see cref="OptimizerKind.Momentum"/>; 0 otherwise.</summary>
    public float Momentum { get; }

    /// <summary>Whether momentum uses Nesterov's look-ahead form.</summary>
    public bool Nesterov { get; }

    /// <summary>Adam's β₁; 0 otherwise.</summary>
    public float Beta1 { get; }

    /// <summary>Adam's β₂; 0 otherwise.</summary>
    public float Beta2 { get; }

    /// <summary>Adam's ε; 0 otherwise.</summary>
    public float Epsilon { get; }

    /// <summary>
    /// Weight decay λ: added to the gradient as λΘ for gradient descent and momentum (L2), applied
    /// decoupled as Θ ← Θ − αλΘ for Adam (AdamW). 0 turns it off.
    /// </summary>
    public float WeightDecay { get; }

    /// <summary>Global-norm clipping: when ‖∇J‖₂ over all parameters exceeds it, the gradient is scaled down to it. 0 turns it off.</summary>
    public float MaxGradientNorm { get; }

    /// <summary>How many per-parameter moment arrays the rule keeps (0, 1 or 2).</summary>
    public int MomentCount => Kind switch { OptimizerKind.Momentum => 1, OptimizerKind.Adam => 2, _ => 0 };

    /// <summary>Plain gradient descent, Θ ← Θ − α∇J.</summary>
    /// <param name="learningRate">α in (0, <see cref="MaxLearningRate"/>].</param>
    public static Optimizer GradientDescent(float learningRate) =>
        new(OptimizerKind.GradientDescent, CheckRate(learningRate), 0f, false, 0f, 0f, 0f, 0f, 0f);

    /// <summary>Momentum SGD: v ← μv + ∇J; Θ ← Θ − αv (Nesterov: Θ ← Θ − α(∇J + μv)).</summary>
    /// <param name="learningRate">α in (0, <see cref="MaxLearningRate"/>].</param>
    /// <param name="momentum">μ in [0, 1).</param>
    /// <param name="nesterov">Use Nesterov's form.</param>
    public static Optimizer WithMomentum(float learningRate, float momentum = 0.9f, bool nesterov = false)
    {
        if (!(momentum >= 0f && momentum < 1f)) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must lie in [0, 1).");
        return new(OptimizerKind.Momentum, CheckRate(learningRate), momentum, nesterov, 0f, 0f, 0f, 0f, 0f);
    }

    /// <summary>Adam with bias correction.</summary>
    /// <param name="learningRate">α in (0, <see cref="MaxLearningRate"/>].</param>
    /// <param name="beta1">β₁ in [0, 1).</param>
    /// <param name="beta2">β₂ in [0, 1).</param>
    /// <param name="epsilon">ε in (0, <see cref="MaxEpsilon"/>].</param>
    public static Optimizer Adam(float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f)
    {
        if (!(beta1 >= 0f && beta1 < 1f)) throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "beta1 must lie in [0, 1).");
        if (!(beta2 >= 0f && beta2 < 1f)) throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "beta2 must lie in [0, 1).");
        if (!(epsilon > 0f && epsilon <= MaxEpsilon)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, $"epsilon must lie in (0, {MaxEpsilon}].");
        return new(OptimizerKind.Adam, CheckRate(learningRate), 0f, false, beta1, beta2, epsilon, 0f, 0f);
    }

    /// <summary>This optimizer with global-norm gradient clipping at <paramref name="maxNorm"/>.</summary>
    /// <param name="maxNorm">Largest allowed ‖∇J‖₂, in (0, <see cref="MaxClippingNorm"/>].</param>
    public Optimizer WithGradientClipping(float maxNorm)
    {
        if (!(maxNorm > 0f && maxNorm <= MaxClippingNorm)) throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, $"maxNorm must lie in (0, {MaxClippingNorm:G3}].");
        return new(Kind, LearningRate, Momentum, Nesterov, Beta1, Beta2, Epsilon, WeightDecay, maxNorm);
    }

    /// <summary>This optimizer with weight decay λ (see <see cref="WeightDecay"/>).</summary>
    /// <param name="weightDecay">λ in [0, <see cref="MaxWeightDecay"/>].</param>
    public Optimizer WithWeightDecay(float weightDecay)
    {
        if (!(weightDecay >= 0f && weightDecay <= MaxWeightDecay)) throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, $"weightDecay must lie in [0, {MaxWeightDecay}].");
        return new(Kind, LearningRate, Momentum, Nesterov, Beta1, Beta2, Epsilon, weightDecay, MaxGradientNorm);
    }

    /// <summary>This optimizer with another step size (for schedules).</summary>
    /// <param name="learningRate">α in (0, <see cref="MaxLearningRate"/>].</param>
    public Optimizer WithLearningRate(float learningRate) =>
        new(Kind, CheckRate(learningRate), Momentum, Nesterov, Beta1, Beta2, Epsilon, WeightDecay, MaxGradientNorm);

    /// <summary>Rebuilds an optimizer from stored fields (brain files), validating each.</summary>
    /// <param name="kind">The rule.</param>
    /// <param name="learningRate">α.</param>
    /// <param name="momentum">μ (momentum only).</param>
    /// <param name="nesterov">Nesterov (momentum only).</param>
    /// <param name="beta1">β₁ (Adam only).</param>
    /// <param name="beta2">β₂ (Adam only).</param>
    /// <param name="epsilon">ε (Adam only).</param>
    /// <param name="weightDecay">λ.</param>
    /// <param name="maxGradientNorm">Clipping norm, 0 for none.</param>
    public static Optimizer FromFields(OptimizerKind kind, float learningRate, float momentum, bool nesterov, float beta1, float beta2,
        float epsilon, float weightDecay, float maxGradientNorm)
    {
        Optimizer o = kind switch
        {
            OptimizerKind.GradientDescent => GradientDescent(learningRate),
            OptimizerKind.Momentum => WithMomentum(learningRate, momentum, nesterov),
            OptimizerKind.Adam => Adam(learningRate, beta1, beta2, epsilon),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown optimizer kind."),
        };
        if (weightDecay != 0f) o = o.WithWeightDecay(weightDecay);
        if (maxGradientNorm != 0f) o = o.WithGradientClipping(maxGradientNorm);
        return o;
    }

    private static float CheckRate(float learningRate)
    {
        if (!(learningRate > 0f && learningRate <= MaxLearningRate)) throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, $"learningRate must lie in (0, {MaxLearningRate}].");
        return learningRate;
    }

    /// <summary>True when every field matches.</summary>
    /// <param name="other">The other optimizer.</param>
    public bool Equals(Optimizer other) =>
        Kind == other.Kind && LearningRate.Equals(other.LearningRate) && Momentum.Equals(other.Momentum) && Nesterov == other.Nesterov
        && Beta1.Equals(other.Beta1) && Beta2.Equals(other.Beta2) && Epsilon.Equals(other.Epsilon)
        && WeightDecay.Equals(other.WeightDecay) && MaxGradientNorm.Equals(other.MaxGradientNorm);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Optimizer other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Kind, LearningRate, Momentum, Beta1, Beta2, WeightDecay, MaxGradientNorm);

    /// <summary>Equality of every field.</summary>
    /// <param name="left">One optimizer.</param>
    /// <param name="right">The other.</param>
    public static bool operator ==(Optimizer left, Optimizer right) => left.Equals(right);

    /// <summary>Inequality of some field.</summary>
    /// <param name="left">One optimizer.</param>
    /// <param name="right">The other.</param>
    public static bool operator !=(Optimizer left, Optimizer right) => !left.Equals(right);

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        OptimizerKind.Momentum => $"Momentum(lr={LearningRate}, mu={Momentum}{(Nesterov ? ", nesterov" : "")})",
        OptimizerKind.Adam => $"Adam(lr={LearningRate}, b1={Beta1}, b2={Beta2}, eps={Epsilon})",
        _ => $"GradientDescent(lr={LearningRate})",
    };
}
