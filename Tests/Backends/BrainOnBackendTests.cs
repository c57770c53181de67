using System;
using Cortex.Backends;
using Cortex.Tests.Brains;
using NUnit.Framework;

namespace Cortex.Tests.Backends;

/// <summary>The same brains, trained and run on every backend: they learn, repeat themselves, and allocate nothing per step.</summary>
[TestFixtureSource(typeof(TestBackends), nameof(TestBackends.Fixtures))]
public sealed class BrainOnBackendTests
{
    private readonly string _backendName;
    private IBackend _backend = null!;

    public BrainOnBackendTests(string backendName) => _backendName = backendName;

    [OneTimeSetUp]
    public void CreateBackend() => _backend = TestBackends.Create(_backendName);

    [OneTimeTearDown]
    public void DisposeBackend() => _backend?.Dispose();

    [Test]
    public void LearnsXor()
    {
        float[] x = { 0, 0, 0, 1, 1, 0, 1, 1 }, c = { 0, 1, 1, 0 };
        using Brain brain = Brain.Create(2).Dense(8, Activation.Tanh).Dense(1, Activation.Sigmoid)
            .Loss(Loss.BinaryCrossEntropy).Optimizer(Optimizer.Adam(0.05f)).MaxBatch(4).Backend(_backend).Build(seed: 1);
        for (int step = 0; step < 500; step++) brain.Train(x, c, 4);
        Evaluation e = brain.Evaluate(x, c, 4);
        Assert.That(e.Accuracy, Is.EqualTo(1f), $"loss {e.Loss}");
        Assert.That(e.Loss, Is.LessThan(0.05f));
    }

    [Test]
    public void ClassifiesTwoMoons()
    {
        using Brain brain = TrainTwoMoons(_backend, epochs: 40);
        (float[] testX, float[] testY) = LearningTests.TwoMoons(400, seed: 3);
        Evaluation test = brain.Evaluate(testX, testY, 400);
        Assert.That(test.Accuracy, Is.GreaterThanOrEqualTo(0.95f), $"held-out loss {test.Loss}");
    }

    [Test]
    public void TheSameSeedAndDataGiveBitwiseIdenticalWeights([Values] OptimizerKind kind)
    {
        Optimizer optimizer = kind switch
        {
            OptimizerKind.GradientDescent => Optimizer.GradientDescent(0.1f),
            OptimizerKind.Momentum => Optimizer.WithMomentum(0.05f, nesterov: true).WithGradientClipping(0.5f),
            _ => Optimizer.Adam(0.01f).WithWeightDecay(0.001f),
        };
        float[] first = TrainBriefly(optimizer), second = TrainBriefly(optimizer);
        Assert.That(second, Is.EqualTo(first));
    }

    [Test]
    public void TrainAndPredictAllocateNothingInSteadyState()
    {
        (float[] x, float[] y) = LearningTests.TwoMoons(64, seed: 9);
        float[] outputs = new float[128];
        using Brain brain = Brain.Create(2).Dense(16, Activation.Relu).Dense(2, Activation.Softmax).Loss(Loss.SoftmaxCrossEntropy)
            .Optimizer(Optimizer.Adam(0.01f).WithGradientClipping(1f)).MaxBatch(64).Backend(_backend).Build(seed: 5);
        for (int i = 0; i < 3; i++)
        {
            brain.Train(x, y, 64);
            brain.Predict(x, outputs, 64);
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++)
        {
            brain.Train(x, y, 64);
            brain.Predict(x, outputs, 64);
        }
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.EqualTo(0));
    }

    [Test]
    public void CloneCarriesWeightsAndOptimizerState()
    {
        (float[] x, float[] y) = LearningTests.TwoMoons(32, seed: 10);
        using Brain brain = Brain.Create(2).Dense(8, Activation.Tanh).Dense(2, Activation.Softmax).Loss(Loss.SoftmaxCrossEntropy)
            .Optimizer(Optimizer.Adam(0.01f)).MaxBatch(32).Backend(_backend).Build(seed: 6);
        for (int i = 0; i < 5; i++) brain.Train(x, y, 32);
        using Brain copy = brain.Clone();
        brain.Train(x, y, 32);
        copy.Train(x, y, 32);
        float[] a = new float[brain.ParameterCount], b = new float[brain.ParameterCount];
        brain.CopyParametersTo(a);
        copy.CopyParametersTo(b);
        Assert.That(b, Is.EqualTo(a));
    }

    /// <summary>The two-moons run of <see cref="LearningTests.ClassifiesTwoMoons"/>, on a given backend.</summary>
    internal static Brain TrainTwoMoons(IBackend backend, int epochs)
    {
        (float[] trainX, float[] trainY) = LearningTests.TwoMoons(1000, seed: 2);
        Brain brain = Brain.Create(2).Dense(32, Activation.Tanh).Dense(32, Activation.Tanh).Dense(2, Activation.Softmax)
            .Loss(Loss.SoftmaxCrossEntropy).Optimizer(Optimizer.Adam(0.01f)).MaxBatch(50).Backend(backend).Build(seed: 4);
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            for (int start = 0; start < 1000; start += 50) brain.Train(trainX.AsSpan(start * 2, 100), trainY.AsSpan(start * 2, 100), 50);
        }
        return brain;
    }

    private float[] TrainBriefly(Optimizer optimizer)
    {
        (float[] x, float[] y) = LearningTests.TwoMoons(40, seed: 8);
        using Brain brain = Brain.Create(2).Dense(17, Activation.Elu).Dense(3, Activation.Sigmoid).Dense(2, Activation.Softmax)
            .Loss(Loss.SoftmaxCrossEntropy).Optimizer(optimizer).MaxBatch(40).Backend(_backend).Build(seed: 7);
        for (int i = 0; i < 25; i++) brain.Train(x, y, 40);
        float[] parameters = new float[brain.ParameterCount];
        brain.CopyParametersTo(parameters);
        return parameters;
    }
}
