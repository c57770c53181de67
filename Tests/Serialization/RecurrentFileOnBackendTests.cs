using Cortex.Backends;
using Cortex.Serialization;
using Cortex.Tests.Backends;
using NUnit.Framework;

namespace Cortex.Tests.Serialization;

/// <summary>A recurrent brain file loads onto every backend (which the brain does not own) and saves back the same numbers.</summary>
[TestFixtureSource(typeof(TestBackends), nameof(TestBackends.Fixtures))]
public sealed class RecurrentFileOnBackendTests
{
    private readonly string _backendName;
    private IBackend _backend = null!;

    public RecurrentFileOnBackendTests(string backendName) => _backendName = backendName;

    [OneTimeSetUp]
    public void CreateBackend() => _backend = TestBackends.Create(_backendName);

    [OneTimeTearDown]
    public void DisposeBackend() => _backend?.Dispose();

    [Test]
    public void LoadsThinksAndSavesBackTheSameNumbers()
    {
        using RecurrentBrain original = RecurrentFileTests.SmallGru(21);
        RecurrentFileTests.TrainSteps(original, 3, 22);
        byte[] file = BrainFile.ToBytes(original, BrainFileKit.Fixed());

        float[] x = new float[2 * original.Inputs], expected = new float[2 * original.Outputs], actual = new float[2 * original.Outputs];
        for (int i = 0; i < x.Length; i++) x[i] = 0.3f * i - 0.7f;
        float[] stateA = new float[2 * original.StateWidth], stateB = new float[2 * original.StateWidth];
        original.Think(x, stateA, expected, 2);

        byte[] again;
        using (RecurrentBrain loaded = BrainFile.ReadRecurrent(file, _backend))
        {
            loaded.Think(x, stateB, actual, 2);
            Assert.That(actual, Is.EqualTo(expected).Within(1e-5f));
            Assert.That(stateB, Is.EqualTo(stateA).Within(1e-5f));
            again = BrainFile.ToBytes(loaded, BrainFileKit.Fixed());
        }
        Assert.That(again, Is.EqualTo(file), "parameters, moments and metadata come back byte for byte");
        using var probe = _backend.Allocate(1);   // the brain left the backend it was given alive
        Assert.That(probe.Length, Is.EqualTo(1));
    }
}
