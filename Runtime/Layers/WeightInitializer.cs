using System;

namespace Cortex;

/// <summary>Draws weights for <see cref="WeightInit"/> schemes from a <see cref="SeededRandom"/>.</summary>
public static class WeightInitializer
{
    /// <summary>The scheme <see cref="WeightInit.Auto"/> picks for an activation (other schemes are returned as they are).</summary>
    /// <param name="init">The requested scheme.</param>
    /// <param name="activation">The layer's activation.</param>
    public static WeightInit Resolve(WeightInit init, Activation activation)
    {
        if (init != WeightInit.Auto) return init;
        return activation.Kind is ActivationKind.Relu or ActivationKind.LeakyRelu or ActivationKind.Elu or ActivationKind.Swish
            ? WeightInit.HeNormal
            : WeightInit.XavierUniform;
    }

    /// <summary>Fills <paramref name="weights"/> (fanOut, fanIn) from the scheme.</summary>
    /// <param name="weights">Output, fanOut·fanIn values.</param>
    /// <param name="init">A resolved scheme (not <see cref="WeightInit.Auto"/>).</param>
    /// <param name="fanIn">Inputs of the layer.</param>
    /// <param name="fanOut">Outputs of the layer.</param>
    /// <param name="random">The generator.</param>
    public static void Fill(Span<float> weights, WeightInit init, int fanIn, int fanOut, SeededRandom random)
    {
        if (random is null) throw new ArgumentNullException(nameof(random));
        if (weights.Length != fanIn * fanOut) throw new ArgumentException($"weights holds {weights.Length} values but fanOut*fanIn = {fanOut}*{fanIn} = {fanIn * fanOut}.", nameof(weights));
        switch (init)
        {
            case WeightInit.XavierUniform: Uniform(weights, MathF.Sqrt(6f / (fanIn + fanOut)), random); break;
            case WeightInit.XavierNormal: Normal(weights, MathF.Sqrt(2f / (fanIn + fanOut)), random); break;
            case WeightInit.HeUniform: Uniform(weights, MathF.Sqrt(6f / fanIn), random); break;
            case WeightInit.HeNormal: Normal(weights, MathF.Sqrt(2f / fanIn), random); break;
            default: throw new ArgumentOutOfRangeException(nameof(init), init, "Resolve WeightInit.Auto first.");
        }
    }

    private static void Uniform(Span<float> weights, float limit, SeededRandom random)
    {
        for (int i = 0; i < weights.Length; i++) weights[i] = random.NextFloat(-limit, limit);
    }

    private static void Normal(Span<float> weights, float std, SeededRandom random)
    {
        for (int i = 0; i < weights.Length; i++) weights[i] = std * random.NextGaussian();
    }
}
