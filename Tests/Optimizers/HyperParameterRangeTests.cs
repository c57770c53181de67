using System;
using Cortex.Realtime;
using Cortex.Serialization;
using Cortex.Tests.Serialization;
using NUnit.Framework;

namespace Cortex.Tests.Optimizers;

/// <summary>
/// Every hyper-parameter has one documented range, enforced alike by the factories (and so the builder, which
/// only takes their values) and the loader; absurd but finite values neither build nor load.
/// </summary>
[TestFixture]
public sealed class HyperParameterRangeTests
{
    private static readonly float[] Absurd = { 3e38f, float.MaxValue, 1e20f };

    [Test]
    public void FactoriesRefuseAbsurdFiniteValuesNamingTheirParameter()
    {
        foreach (float v in Absurd)
        {
            Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => Optimizer.GradientDescent(v))!.ParamName, Is.EqualTo("learningRate"));
            Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => Optimizer.Adam(v))!.ParamName, Is.EqualTo("learningRate"));
            Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => Optimizer.Adam(1e-3f, epsilon: v))!.ParamName, Is.EqualTo("epsilon"));
            Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => Optimizer.Adam().WithWeightDecay(v))!.ParamName, Is.EqualTo("weightDecay"));
            Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => Optimizer.Adam().WithGradientClipping(v))!.ParamName, Is.EqualTo("maxNorm"));
            Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => Activation.EluWithAlpha(v))!.ParamName, Is.EqualTo("alpha"));
            Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => Loss.HuberWithDelta(v))!.ParamName, Is.EqualTo("delta"));
        }
        // The edges of each range are accepted.
        Assert.That(Optimizer.GradientDescent(Optimizer.MaxLearningRate).LearningRate, Is.EqualTo(10f));
        Assert.That(Optimizer.Adam(epsilon: Optimizer.MaxEpsilon).Epsilon, Is.EqualTo(1f));
        Assert.That(Optimizer.Adam().WithWeightDecay(Optimizer.MaxWeightDecay).WeightDecay, Is.EqualTo(1f));
        Assert.That(Optimizer.Adam().WithGradientClipping(Optimizer.MaxClippingNorm).MaxGradientNorm, Is.EqualTo(1e9f));
        Assert.That(Activation.EluWithAlpha(Activation.MaxEluAlpha).Alpha, Is.EqualTo(100f));
        Assert.That(Loss.HuberWithDelta(Loss.MaxHuberDelta).Delta, Is.EqualTo(1e6f));
        Assert.Throws<ArgumentOutOfRangeException>(() => Optimizer.GradientDescent(10.001f));
    }

    [Test]
    public void TheLoaderEnforcesTheSameRanges()
    {
        using Brain brain = BrainFileKit.Classifier(1);   // Adam + clipping + weight decay, leaky ReLU, ELU, softmax
        (string Field, Action<BrainFileDto> Forge)[] cases =
        {
            ("spec.optimizer", d => d.Spec!.Optimizer!.LearningRate = 3e38f),
            ("spec.optimizer", d => d.Spec!.Optimizer!.WeightDecay = 3e38f),
            ("spec.optimizer", d => d.Spec!.Optimizer!.Epsilon = 3e38f),
            ("spec.optimizer", d => d.Spec!.Optimizer!.MaxGradientNorm = 3e38f),
            ("spec.layers[1].activation", d => d.Spec!.Layers![1].Alpha = 3e38f),
            ("parameters[0]", d => d.Parameters![0] = 3e38f),
            ("optimizerState.moment1[3]", d => d.OptimizerState!.Moment1![3] = -3e38f),
            ("optimizerState.moment2[4]", d => d.OptimizerState!.Moment2![4] = 3e38f),
        };
        foreach ((string field, Action<BrainFileDto> forge) in cases)
        {
            BrainFormatException e = BrainFileKit.Rejects(BrainFileKit.Forge(brain, forge));
            Assert.That(e.Field, Is.EqualTo(field), e.Message);
        }
        using Brain huber = BrainFileKit.Regressor(2);
        Assert.That(BrainFileKit.Rejects(BrainFileKit.Forge(huber, d => d.Spec!.LossDelta = 3e38f)).Field, Is.EqualTo("spec.loss"));
    }

    [Test]
    public void SavingADivergedBrainIsRefusedAndSetParametersRefusesNonFinite()
    {
        using Brain brain = BrainFileKit.Regressor(3);
        float[] p = BrainFileKit.Parameters(brain);
        foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
        {
            float[] q = (float[])p.Clone();
            q[2] = bad;
            Assert.That(Assert.Throws<ArgumentException>(() => brain.SetParameters(q))!.ParamName, Is.EqualTo("source"));
            Assert.That(BrainFileKit.Parameters(brain), Is.EqualTo(p), "nothing was copied");
        }
        float[] huge = (float[])p.Clone();
        huge[1] = 3e38f;
        brain.SetParameters(huge);   // finite: allowed in memory
        ArgumentException save = Assert.Throws<ArgumentException>(() => BrainFile.ToBytes(brain))!;
        Assert.That(save.ParamName, Is.EqualTo("brain"));
        Assert.That(save.Message, Does.Contain("diverged"));
    }

    [Test]
    public void PublicMethodsNameTheirOwnArguments()
    {
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => Brain.Create(4).Dense(0, Activation.Relu))!.ParamName, Is.EqualTo("units"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => Brain.Create(4).Dense(BrainSpec.MaxWidth + 1, Activation.Relu))!.ParamName, Is.EqualTo("units"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => Brain.Create(4).Dense(3, Activation.Relu, (WeightInit)77))!.ParamName, Is.EqualTo("init"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => Brain.Create(0))!.ParamName, Is.EqualTo("inputs"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => Brain.Create(4).MaxBatch(BrainSpec.MaxBatchLimit + 1))!.ParamName, Is.EqualTo("maxBatch"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => TrainingBudget.Microseconds(1e300))!.ParamName, Is.EqualTo("microseconds"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => TrainingBudget.UpdatesWithin(4, double.PositiveInfinity))!.ParamName, Is.EqualTo("microseconds"));

        using Brain brain = BrainFileKit.Regressor(4);
        brain.Sections["bad"] = new[] { 1f, float.NaN };
        Assert.That(Assert.Throws<ArgumentException>(() => BrainFile.ToBytes(brain))!.ParamName, Is.EqualTo("brain"), "not an internal helper's 'values'");
    }

    [Test]
    public void AnUntimedBudgetMustEnd()
    {
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => _ = new TrainingBudget(int.MaxValue, 0))!.ParamName, Is.EqualTo("maxUpdates"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => TrainingBudget.Updates(TrainingBudget.MaxUntimedUpdates + 1))!.ParamName, Is.EqualTo("maxUpdates"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => _ = new TrainingBudget(4, 1e300))!.ParamName, Is.EqualTo("maxMicroseconds"));
        Assert.That(TrainingBudget.Updates(TrainingBudget.MaxUntimedUpdates).MaxUpdates, Is.EqualTo(65536));
        Assert.That(TrainingBudget.Microseconds(500).MaxUpdates, Is.EqualTo(int.MaxValue), "a time limit bounds the tick");
        Assert.That(new TrainingBudget(int.MaxValue, 100).IsTimed, Is.True);
    }
}
