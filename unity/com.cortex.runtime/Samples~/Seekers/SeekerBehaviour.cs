using UnityEngine;

namespace Cortex.Samples.Unity
{
    /// <summary>One per agent object: joins the academy's group while enabled.</summary>
    public sealed class SeekerBehaviour : MonoBehaviour
    {
        /// <summary>What this agent seeks.</summary>
        public Transform Goal = null!;

        private readonly Seeker _agent = new Seeker();

        private void OnEnable()
        {
            _agent.Body = transform;
            _agent.Goal = Goal;
            SeekerAcademy.Join(_agent);   // safe before the academy's Awake: it waits until the group exists
        }

        private void OnDisable() => SeekerAcademy.Leave(_agent);
    }
}
