using Cortex.Backends;
using Cortex.Layers;
using Cortex.Tensors;
using NUnit.Framework;

namespace Cortex.Tests.Layers;

/// <summary>
/// ‖dL/dh_t‖ against the distance to the loss: an Elman RNN at rest (x = 0, h₀ = 0, so tanh′ = 1) multiplies the
/// gradient by Uᵀ per step, so it vanishes for a small recurrent scale and explodes for a large one; a GRU's
/// direct path (dh ← dh′ ⊙ u) keeps it from vanishing as fast.
/// </summary>
[TestFixture]
public sealed class StateGradientNormTests
{
    private const int Steps = 20, Hidden = 16, Batch = 2;

    [Test]
    public void ElmanGradientsVanishWithASmallRecurrentScale()
    {
        double[] norms = Norms(new ElmanRnn(1, Hidden, recurrentScale: 0.5f));
        Assert.That(norms[0], Is.LessThan(1e-3 * norms[Steps - 1]), string.Join(", ", norms));
        for (int t = 1; t < Steps; t++) Assert.That(norms[t - 1], Is.LessThan(norms[t]), $"t = {t}");
    }

    [Test]
    public void ElmanGradientsExplodeWithALargeRecurrentScale()
    {
        double[] norms = Norms(new ElmanRnn(1, Hidden, recurrentScale: 2.5f));
        Assert.That(norms[0], Is.GreaterThan(1e3 * norms[Steps - 1]), string.Join(", ", norms));
    }

    [Test]
    public void NormsAreReportedOnlyWhereGradientFlows()
    {
        double[] norms = Norms(new Gru(1, Hidden), new TruncatedBptt(0, 5));
        for (int t = 0; t < 5; t++) Assert.That(norms[t], Is.EqualTo(0.0), $"burn-in step {t}");
        for (int t = 5; t < Steps; t++) Assert.That(norms[t], Is.GreaterThan(0.0), $"step {t}");
    }

    // dL/dh_T random and every other output gradient zero: the loss sits at the last step only.
    private static double[] Norms(RecurrentLayer layer, TruncatedBptt truncation = default)
    {
        using var backend = new CpuBackend();
        var random = new SeededRandom(17);
        float[] theta = new float[layer.ParameterCount];
        layer.Initialize(theta, random);
        int hs = Batch * Hidden;
        using DeviceBuffer parameters = backend.Allocate(theta.Length), gradients = backend.Allocate(theta.Length);
        using DeviceBuffer states = backend.Allocate((Steps + 1) * hs), dStates = backend.Allocate((Steps + 1) * hs), x = backend.Allocate(Steps * Batch);
        using DeviceBuffer cache = backend.Allocate(Steps * Batch * layer.CacheWidth), scratch = backend.Allocate(Batch * (layer.ScratchWidth + Hidden));
        layer.Bind(parameters.All, gradients.All);
        backend.Upload(parameters.All, theta);
        layer.ForwardSequence(backend, states.All, x.All, cache.All, scratch.All, Batch, Steps);
        float[] last = new float[hs];
        for (int i = 0; i < hs; i++) last[i] = random.NextFloat(-1f, 1f);
        backend.Upload(dStates.Slice(Steps * hs, hs), last);
        double[] norms = new double[Steps];
        layer.BackwardSequence(backend, default, dStates.All, states.All, x.All, cache.All, scratch.All, Batch, Steps, truncation, norms);
        return norms;
    }
}
